#!/bin/sh
# run.sh [--shared DIR]: every test, twice: with the normal build and
# with the AddressSanitizer + UndefinedBehaviorSanitizer build.  Each
# suite prints its own tally, "N passed, N failed" with ", N skipped"
# when it could not run some checks (no ../shared, no clang); the last
# line is the total, skipped included.  `make check` builds everything
# first and then runs this.
#
# The suites run CHECK_JOBS at a time (default 4; CHECK_JOBS=1 runs
# them one after the other), longest first: most of a suite's time is
# spent waiting on its server (deadlines, settling, rescans), so more
# suites than the two cores fit.  Each suite's output goes to its own
# file and is shown whole, in the order of the list below, once it and
# the suites before it are done; each line says how long its suite
# took.  Suites cannot disturb each other: every server listens on
# ports the kernel picks (-g 0 -p 0), every suite has its own temporary
# directories, and nothing writes into the tree but fuzz smoke
# (build/fuzz/), bench smoke (build/bench/) and the browser suite's
# screenshots (build/browser/).
#
# Every suite runs in both builds, none is left out of the second pass:
# under ASan the integration suites wait no longer than in the plain
# build (their servers are mostly idle), and the conversions cost little
# since the differential test starts capsuled once per capsule, not per
# file (alone: about 75 s for the plain pass, 85 s for the ASan one).

cd "$(dirname "$0")/.." || exit 2
SHARED=../shared
[ "$1" = "--shared" ] && SHARED=$2
CORPUS=$SHARED/corpus		# for tests/differential.sh
export CORPUS
JOBS=${CHECK_JOBS:-4}
case $JOBS in
''|*[!0-9]*|0) echo "run.sh: CHECK_JOBS must be a number > 0" >&2; exit 2 ;;
esac

RUN=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-run.XXXXXX") || exit 2

# Interrupted: stop every suite still running (each is its own process
# group, made by setsid: a suite's clients and servers go with it) with
# SIGINT, as ^C did when they ran in the foreground (the Python suites
# then clean up), and with SIGTERM what is left 10 s later.
stop_all() {
	pgids=$(cat "$RUN"/*.pid 2> /dev/null)
	for g in $pgids; do
		kill -INT "-$g"
	done
	i=0
	while [ $i -lt 50 ]; do
		left=
		for g in $pgids; do
			kill -0 "-$g" && left="$left $g"
		done
		[ -z "$left" ] && break
		sleep 0.2
		i=$((i + 1))
	done
	for g in $left; do
		kill -TERM "-$g"
	done
	wait
}
trap 'rm -rf "$RUN"' EXIT
trap 'stop_all 2> /dev/null; exit 130' INT TERM HUP

# Sanitizers: stop at the first error, and report leaks too.
ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

# python3 may be a version manager's shim (pyenv's is a shell script
# that costs ~0.1 s of CPU per start, and the suites start python3
# hundreds of times): put the interpreter it resolves to here first on
# PATH.  The same interpreter runs, only the shim is skipped.
PY=$(python3 -c 'import sys; print(sys.executable)' 2> /dev/null)
if [ -n "$PY" ] && [ -x "$PY" ]; then
	mkdir "$RUN/bin"
	ln -s "$PY" "$RUN/bin/python3"
	PATH=$RUN/bin:$PATH
	export PATH
fi

now_ms() {
	date +%s%3N
}

# suite NAME COMMAND...: add a suite to the list.
N=0
suite() {
	N=$((N + 1))
	echo "$1" > "$RUN/$N.name"
	shift
	for a in "$@"; do
		printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
	done > "$RUN/$N.cmd"
}

# About how many seconds a suite takes alone (CHECK_JOBS=1 shows it):
# the longest start first, so that none is left to run alone at the end.
secs() {
	case $1 in
	*soak) echo 75 ;;
	"bench smoke") echo 30 ;;
	"fuzz smoke") echo 26 ;;
	*differential|*browser) echo 15 ;;
	*hostile) echo 14 ;;
	*haproxy) echo 12 ;;
	*discover) echo 12 ;;
	*live) echo 11 ;;
	*resume) echo 8 ;;
	*corpus|*reload|*access) echo 6 ;;
	*robustness|*titan) echo 5 ;;
	*" unit "*|*served|*concurrency) echo 1 ;;
	*) echo 3 ;;
	esac
}

# The tally of a suite's output: "P F S" from its last line, or nothing.
TALLY='^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\(, \([0-9][0-9]*\) skipped\)\{0,1\}$'

# run_suite I: run suite I in its own process group, its output to
# I.log; then "P F S STATUS MS" to I.res, and I on fd 3 (the scheduler
# waits on it).  A suite that dies without a tally line, or whose tally
# counts nothing, counts as one failure.
run_suite() {
	t0=$(now_ms)
	# (a job of this shell starts with SIGINT and SIGQUIT ignored: not
	# a suite, which gets them as it did in the foreground)
	setsid env --default-signal=INT,QUIT sh -c ". \"$RUN/$1.cmd\"" \
	    < /dev/null > "$RUN/$1.log" 2>&1 3>&- &
	echo $! > "$RUN/$1.pid"
	wait $! 2> /dev/null	# (no "Terminated" when interrupted)
	status=$?
	t1=$(now_ms)
	rm -f "$RUN/$1.pid"
	tally=$(tail -n 1 "$RUN/$1.log")
	p=$(echo "$tally" | sed -n "s/$TALLY/\\1/p")
	f=$(echo "$tally" | sed -n "s/$TALLY/\\2/p")
	s=$(echo "$tally" | sed -n "s/$TALLY/\\4/p")
	s=${s:-0}
	if [ -z "$p" ] || [ $((p + f + s)) -eq 0 ]; then
		# no tally, or a tally of nothing: a suite that checks nothing
		# must say what it skipped and why
		p=0
		f=1
	elif [ $status -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	echo "$p $f $s $status $((t1 - t0))" > "$RUN/$1.res.tmp"
	mv "$RUN/$1.res.tmp" "$RUN/$1.res"
	echo "$1" >&3
}

# show I: a finished suite's output (all of it when it failed, its
# skipped lines when it skipped some), its line and its time; add up.
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
show() {
	name=$(cat "$RUN/$1.name")
	read -r p f s status ms < "$RUN/$1.res"
	took="($((ms / 1000)).$((ms % 1000 / 100)) s)"
	if [ "$f" -ne 0 ]; then
		sed '$d' "$RUN/$1.log"
		echo "$name: $p passed, $f failed (exit $status) $took"
	elif [ "$s" -ne 0 ]; then
		grep '^skipped ' "$RUN/$1.log"
		echo "$name: $p passed, $s skipped $took"
	else
		echo "$name: $p passed $took"
	fi
	TOTAL_PASSED=$((TOTAL_PASSED + p))
	TOTAL_FAILED=$((TOTAL_FAILED + f))
	TOTAL_SKIPPED=$((TOTAL_SKIPPED + s))
}

for build in plain asan; do
	if [ $build = plain ]; then
		bin=./capsuled
		tests=build/tests
	else
		bin=build/capsuled-asan
		tests=build/tests-asan
	fi
	for t in "$tests"/test_*; do
		suite "[$build] unit $(basename "$t")" "$t"
	done
	suite "[$build] golden" sh tests/golden.sh "$bin"
	suite "[$build] served" sh tests/served.sh "$bin"
	suite "[$build] robustness" sh tests/robust.sh "$bin"
	suite "[$build] corpus" sh tests/corpus.sh "$bin" "$SHARED"
	if [ -f tests/differential.sh ]; then
		suite "[$build] differential" sh tests/differential.sh "$bin"
	fi
	for t in gemini resume gopher gophers nex spartan live perms reload \
	    hostile concurrency discover access wellknown http exhaust haproxy \
	    titan startup; do
		[ -f tests/$t.sh ] && suite "[$build] $t" sh tests/$t.sh "$bin"
	done
done

# the HTML mirror in Debian's chromium with axe-core, with the normal
# build only (~15 s; the sanitizer build is exercised over HTTP by
# tests/http.sh): skipped, with the reason, without chromium or node
suite "[plain] browser" sh tests/browser.sh ./capsuled

# the soak test (tests/soak_test.py) for 60 s on a capsule of 300
# articles, with the normal build only: it is a load test, and under
# ASan its readers would measure the sanitizer (`make soak` runs it for
# SOAK_SECONDS, default 600, on 10,000 articles; `make soak
# SOAK_BIN=build/capsuled-asan` under ASan)
suite "[plain] soak" env SOAK_SECONDS=60 SHARED="$SHARED" sh tests/soak.sh ./capsuled

# libFuzzer smoke pass: every harness ~3 s on its corpus (without clang
# every harness is a skipped check)
suite "fuzz smoke" sh tests/fuzz/fuzz.sh 3

# the benchmark tools keep working (a second per measurement, no timing
# is checked)
suite "bench smoke" sh tests/bench_smoke.sh

# Start them longest first, JOBS at a time; show each in list order.
mkfifo "$RUN/done" || exit 2
exec 3<> "$RUN/done"
T0=$(now_ms)
order=$(i=1; while [ $i -le $N ]; do
	echo "$(secs "$(cat "$RUN/$i.name")") $i"
	i=$((i + 1))
done | sort -k1,1nr -k2,2n | cut -d' ' -f2)
running=0
shown=1
reap() {	# wait for one suite to end, show those now due
	read -r _ <&3
	running=$((running - 1))
	while [ $shown -le $N ] && [ -f "$RUN/$shown.res" ]; do
		show $shown
		shown=$((shown + 1))
	done
}
for i in $order; do
	[ $running -ge "$JOBS" ] && reap
	run_suite "$i" &
	running=$((running + 1))
done
while [ $running -gt 0 ]; do
	reap
done
wait
T1=$(now_ms)
echo "run.sh: $N suites in $(((T1 - T0) / 1000)) s, $JOBS at a time"

echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
[ "$TOTAL_FAILED" -eq 0 ]

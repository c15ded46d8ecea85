#!/bin/sh
# run.sh [--shared DIR]: every test, twice: with the normal build and
# with the AddressSanitizer + UndefinedBehaviorSanitizer build.  Each
# suite prints its own tally, "N passed, N failed" with ", N skipped"
# when it could not run some checks (no ../shared, no clang); the last
# line is the total, skipped included.  `make check` builds everything
# first and then runs this.

cd "$(dirname "$0")/.." || exit 2
SHARED=../shared
[ "$1" = "--shared" ] && SHARED=$2
CORPUS=$SHARED/corpus		# for tests/differential.sh
export CORPUS

TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
LOG=$(mktemp "${TMPDIR:-/tmp}/capsuled-run.XXXXXX")
BIN=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-run-bin.XXXXXX")
trap 'rm -rf "$LOG" "$BIN"' EXIT

# python3 may be a version manager's shim (pyenv's is a shell script
# that costs ~0.1 s of CPU per start, and the suites start python3
# hundreds of times): put the interpreter it resolves to first on PATH.
# The same interpreter runs, only the shim is skipped.
PY=$(python3 -c 'import sys; print(sys.executable)' 2> /dev/null)
if [ -n "$PY" ] && [ -x "$PY" ]; then
	ln -s "$PY" "$BIN/python3"
	PATH=$BIN:$PATH
	export PATH
fi

# Sanitizers: stop at the first error, and report leaks too.
ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

# suite NAME COMMAND...: run it, show its output, add up its tally.  A
# suite that dies without a tally line, or whose tally counts nothing,
# counts as one failure; skipped checks are shown with their reasons and
# counted apart.
TALLY='^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\(, \([0-9][0-9]*\) skipped\)\{0,1\}$'
suite() {
	name=$1
	shift
	"$@" > "$LOG" 2>&1
	status=$?
	tally=$(tail -n 1 "$LOG")
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
	if [ "$f" -ne 0 ]; then
		sed '$d' "$LOG"
		echo "$name: $p passed, $f failed (exit $status)"
	elif [ "$s" -ne 0 ]; then
		grep '^skipped ' "$LOG"
		echo "$name: $p passed, $s skipped"
	else
		echo "$name: $p passed"
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
	for t in gemini resume gopher live perms reload hostile concurrency \
	    discover access; do
		[ -f tests/$t.sh ] && suite "[$build] $t" sh tests/$t.sh "$bin"
	done
done

# libFuzzer smoke pass: every harness ~3 s on its corpus (without clang
# every harness is a skipped check)
suite "fuzz smoke" sh tests/fuzz/fuzz.sh 3

# the benchmark tools keep working (a second per measurement, no timing
# is checked)
suite "bench smoke" sh tests/bench_smoke.sh

echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
[ "$TOTAL_FAILED" -eq 0 ]

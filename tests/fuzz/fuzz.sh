#!/bin/sh
# fuzz.sh SECONDS [TARGET...]: build the libFuzzer harnesses of
# tests/fuzz/ (when needed) and run each for SECONDS on its corpus.
# Without TARGET, all of them, one after the other.
#
# The committed seeds (tests/fuzz/corpus/TARGET/) are copied into a
# scratch corpus, build/fuzz/corpus/TARGET/, which the fuzzer grows (the
# seeds stay small); past 1000 files it is merged down to the inputs
# that add coverage.  A crash, timeout, leak or broken invariant leaves
# its input in build/fuzz/artifacts/ and the fuzzer's output in
# build/fuzz/logs/TARGET.log.  Per target it prints the executions, the
# coverage reached and "no findings" or the file of the finding; the
# last line is "N passed, N failed" (a target passes when it ran
# without a finding).  Without clang every target is a skipped check,
# with the reason: "0 passed, 0 failed, N skipped".
#
# Reproduce a finding:  build/fuzz/TARGET build/fuzz/artifacts/FILE

cd "$(dirname "$0")/../.." || exit 2

ALL="fuzz_gemini_request fuzz_gopher_request fuzz_nex_request fuzz_article \
fuzz_render_catalog fuzz_config fuzz_textindex fuzz_spartan_request \
fuzz_http_request fuzz_proxy_header fuzz_titan_request"

usage() {
	echo "usage: sh tests/fuzz/fuzz.sh SECONDS [TARGET...]" >&2
	echo "targets: $ALL" >&2
	exit 2
}

[ $# -ge 1 ] || usage
SECONDS_EACH=$1
shift
case $SECONDS_EACH in
''|*[!0-9]*) usage ;;
esac
[ "$SECONDS_EACH" -ge 1 ] || usage
TARGETS=${*:-$ALL}
for t in $TARGETS; do
	case " $ALL " in
	*" $t "*) ;;
	*) echo "fuzz.sh: unknown target '$t'" >&2; usage ;;
	esac
done

if ! command -v "${FUZZ_CC:-clang}" > /dev/null 2>&1; then
	n=0
	for t in $TARGETS; do
		echo "skipped $t: ${FUZZ_CC:-clang} not found (apt-get install" \
		    "clang libclang-rt-14-dev)"
		n=$((n + 1))
	done
	echo "0 passed, 0 failed, $n skipped"
	exit 0
fi

# Longest input tried: requests and configs are short (but an HTTP head
# may take 8 KiB); articles and groups of articles get room for the 8 KiB
# binary sniff window.
max_len() {
	case $1 in
	fuzz_article) echo 16384 ;;
	fuzz_render_catalog) echo 32768 ;;
	fuzz_http_request) echo 9000 ;;
	*) echo 4096 ;;
	esac
}

: "${ASAN_OPTIONS:=detect_leaks=1}"
: "${UBSAN_OPTIONS:=halt_on_error=1:print_stacktrace=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

mkdir -p build/fuzz/artifacts build/fuzz/logs build/fuzz/corpus
PASSED=0
FAILED=0
for t in $TARGETS; do
	if ! ${MAKE:-make} -s FUZZ_CC="${FUZZ_CC:-clang}" "build/fuzz/$t" > "build/fuzz/logs/$t.build" 2>&1
	then
		cat "build/fuzz/logs/$t.build"
		echo "$t: build failed"
		FAILED=$((FAILED + 1))
		continue
	fi
	corpus=build/fuzz/corpus/$t
	log=build/fuzz/logs/$t.log
	mkdir -p "$corpus"
	cp tests/fuzz/corpus/"$t"/* "$corpus"/ 2> /dev/null
	# libFuzzer only adds files: keep the scratch corpus minimal, so a
	# short run is spent fuzzing, not reloading it
	if [ "$(find "$corpus" -type f | wc -l)" -gt 1000 ]; then
		rm -rf "$corpus.min"
		mkdir -p "$corpus.min"
		if "build/fuzz/$t" -merge=1 -timeout=10 -rss_limit_mb=2048 \
		    -max_len="$(max_len "$t")" "$corpus.min" "$corpus" \
		    > "build/fuzz/logs/$t.merge" 2>&1; then
			rm -rf "$corpus"
			mv "$corpus.min" "$corpus"
		else
			rm -rf "$corpus.min"
		fi
	fi
	"build/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
	    -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
	    -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$t-" \
	    "$corpus" > "$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
	    tail -n 1)
	if [ $status -eq 0 ] && [ -z "$artifact" ]; then
		echo "$t: ${execs:-?} executions, ${cov:-no coverage line}:" \
		    "no findings"
		PASSED=$((PASSED + 1))
	else
		# the report: what went wrong and the first frames
		grep -E '^(INVARIANT BROKEN|==[0-9]+==ERROR|SUMMARY|.*runtime error)' \
		    "$log" | head -n 5
		echo "$t: ${execs:-?} executions, ${cov:-no coverage line}:" \
		    "FINDING ${artifact:-(no artifact, exit $status)}, see $log"
		FAILED=$((FAILED + 1))
	fi
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]

#!/bin/sh
# bench_smoke.sh: build the benchmark tools and run every measurement of
# `make bench` for about a second (BENCH_QUICK), without Molly Brown, so
# that the tools keep working.  Timings are not checked: benchmarks are
# numbers to read (BENCHMARKS.md), not tests.
cd "$(dirname "$0")/.." || exit 2
if BENCH_QUICK=1 BENCH_NO_MOLLY=1 BENCH_REPS=1 sh bench/run.sh \
    > build/bench-smoke.log 2>&1; then
	echo "bench smoke: ok (output in build/bench-smoke.log)"
	echo "1 passed, 0 failed"
else
	tail -n 30 build/bench-smoke.log
	echo "0 passed, 1 failed"
	exit 1
fi

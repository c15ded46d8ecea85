# bench/lib.sh: what bench/run.sh and bench/balancer.sh share: the
# seconds per measurement (DUR) and the rounds (REPS) from their knobs,
# and waiting for a log line.

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	DUR=${BENCH_SECONDS:-1}
	REPS=${BENCH_REPS:-1}
else
	DUR=${BENCH_SECONDS:-5}
	REPS=${BENCH_REPS:-3}
fi

# wait_for FILE REGEX: until FILE has a line matching REGEX (10 s at most).
wait_for() {
	i=0
	until grep -q "$2" "$1" 2> /dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

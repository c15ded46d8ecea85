#!/bin/sh
# bench/balancer.sh: Gemini through HAProxy (contrib/haproxy.cfg, PROXY
# v2) against the same load sent to capsuled directly, on 127.0.0.1 only
# (BENCHMARKS.md, "Behind a load balancer").  `BENCH_BALANCER=1 sh
# bench/run.sh` runs it after the rest; alone:
#
#   sh bench/balancer.sh          # 5 s per measurement, 3 rounds
#   BENCH_QUICK=1 sh bench/balancer.sh
#
# Instance 1 has two Gemini listeners, one plain and one marked proxy,
# so that one process is measured both ways: its CPU per request
# directly (loadgen to the plain one) and through HAProxy (to the
# balancer, which sends it to the marked one).  Then requests/s through
# the balancer to one instance and to three.  Medians of the rounds; the
# ratio is through / direct.  Needs haproxy (installed by tools/deps).

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
B=$ROOT/build/bench
. "$ROOT/bench/lib.sh"
CONC=${BENCH_CONC:-16}
URL=gemini://localhost/

say() { echo "bench: $*" >&2; }
command -v haproxy > /dev/null 2>&1 || { say "no haproxy: skipped"; exit 0; }
make -s -C "$ROOT" capsuled bench-build >&2 || { say "build failed"; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-balancer.XXXXXX") || exit 2
chmod 755 "$WORK"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2> /dev/null; done
	wait 2> /dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

port() {
	python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.1.1", 0)); print(s.getsockname()[1])'
}

cp -r "$ROOT/capsule" "$WORK/capsule"
chmod -R a+rX "$WORK/capsule"
GEM=$(port)
DIRECT=$(port)
for i in 1 2 3; do
	{
		echo "listen gemini 127.0.1.$i $GEM proxy"
		[ $i = 1 ] && echo "listen gemini 127.0.1.1 $DIRECT"
		echo "workers 1"
		echo "host localhost"
		echo "capsule $WORK/capsule"
		echo "certs $WORK/certs"
	} > "$WORK/c$i.conf"
	"$ROOT/capsuled" -c "$WORK/c$i.conf" > /dev/null 2> "$WORK/c$i.log" &
	PIDS="$PIDS $!"
	eval "PID$i=$!"
	wait_for "$WORK/c$i.log" "certificate for localhost" ||
	    { say "instance $i did not start"; exit 2; }
done

# contrib/haproxy.cfg's Gemini frontend and backend, on loopback; with
# only capsule1 ($1 = 1) or all three
balancer() {
	awk '/^frontend gemini/, /^$/ { print; next }
	    /^backend gemini/, /^$/ { print; next }
	    /^(global|defaults)/, /^$/ { print }' "$ROOT/contrib/haproxy.cfg" |
	sed -e "s|log /dev/log local0|log stderr format raw local0|" \
	    -e "s|example.org|localhost|g" \
	    -e "s|bind :1965|bind 127.0.0.1:$GEM|" \
	    -e "s|192.0.2.1\([123]\):1965|127.0.1.\1:$GEM|" > "$WORK/h.cfg"
	[ "$1" = 1 ] && sed -i '/server capsule[23] /d' "$WORK/h.cfg"
	haproxy -db -f "$WORK/h.cfg" > "$WORK/h$1.log" 2>&1 &
	HAP=$!
	PIDS="$PIDS $HAP"
	i=0
	until "$B/loadgen" -m gemini -p "$GEM" -n 1 -u "$URL" 2> /dev/null |
	    grep -q ' errors=0 '; do
		i=$((i + 1))
		[ $i -gt 100 ] && { say "haproxy did not start"; exit 2; }
		sleep 0.1
	done
}

# field NAME LINE
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
load() { "$B/loadgen" -m gemini -c "$CONC" -d "$DUR" -u "$URL" "$@"; }

balancer 1
: > "$WORK/direct"; : > "$WORK/through"; : > "$WORK/one"
r=0
while [ $r -lt "$REPS" ]; do
	d=$(load -p "$DIRECT" -h 127.0.1.1 -P "$PID1")
	t=$(load -p "$GEM" -P "$PID1")
	say "round $r: direct $(field rps "$d") rps $(field \
	    server_cpu_ms_per_req "$d") ms/req; through $(field rps "$t") rps \
$(field server_cpu_ms_per_req "$t") ms/req; errors $(field errors "$d")/$(field errors "$t")"
	field server_cpu_ms_per_req "$d" >> "$WORK/direct"
	field server_cpu_ms_per_req "$t" >> "$WORK/through"
	field rps "$t" >> "$WORK/one"
	r=$((r + 1))
done
kill "$HAP"; wait "$HAP" 2> /dev/null
balancer 3
: > "$WORK/three"
r=0
while [ $r -lt "$REPS" ]; do
	t=$(load -p "$GEM")
	say "round $r: three instances $(field rps "$t") rps, errors $(field errors "$t")"
	field rps "$t" >> "$WORK/three"
	r=$((r + 1))
done

cd_=$(median < "$WORK/direct"); ct_=$(median < "$WORK/through")
echo "capsuled CPU ms/request, Gemini, direct:          $cd_"
echo "capsuled CPU ms/request, through HAProxy (v2):    $ct_"
echo "ratio through/direct:                             $(awk -v a="$ct_" \
    -v b="$cd_" 'BEGIN { printf "%.3f", a / b }') (target <= 1.03)"
echo "requests/s through HAProxy, one instance:         $(median < "$WORK/one")"
echo "requests/s through HAProxy, three instances:      $(median < "$WORK/three")"

#!/bin/sh
# bench/run.sh: capsuled against a bare OpenSSL floor, a bare TCP floor,
# Molly Brown and nginx, on 127.0.0.1 only (`make bench`; BENCHMARKS.md
# has the method and the last results), over Gemini, Gopher, Gopher over
# TLS, Spartan, Nex and HTTP (the HTML mirror).
#
#   sh bench/run.sh                 # ~4 minutes: 5 s per measurement, 3 rounds
#   BENCH_QUICK=1 sh bench/run.sh   # smoke test: 1 s per measurement, 1 round
#
# Other knobs: BENCH_SECONDS (per measurement), BENCH_REPS (rounds),
# BENCH_NO_MOLLY=1 (do not install or start Molly Brown), BENCH_NO_NGINX=1
# (nor nginx), BENCH_BALANCER=1 (then bench/balancer.sh: Gemini through
# HAProxy with PROXY v2 against direct, ~1 minute), BENCH_KEEP=1 (keep
# the work directory with the servers'
# logs).
#
# It builds capsuled and the tools (build/bench/), makes a capsule with a
# 4 KB page (bench/4k.gmi, bench/4k.txt), a 100 KB one (bench/100k.gmi)
# and some articles (../shared/tools/gen-capsule when present) with one
# whose HTML page is about 4 KB, starts capsuled (-g 0 -p 0 -w 0),
# floor_tls, floor_tcp, Molly Brown and nginx serving that page's bytes
# as a static file (each installed with apt-get when root and missing;
# skipped with a note otherwise),
# then runs every configuration against every server, interleaved, in
# each round, and prints the medians and the ratios of this run.
# Progress goes to stderr, the table to stdout.  Exit status 0 unless
# the tooling itself failed (a server that did not start, a measurement
# without a result); errors of the servers are reported, not fatal.

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
B=$ROOT/build/bench

. "$ROOT/bench/lib.sh"
NARTICLES=1000
[ "${BENCH_QUICK:-0}" = 1 ] && NARTICLES=100
IDLE_CONNS=1000
HOLD=$((DUR + 7))	# idle connections outlive the load run made meanwhile

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 2; }

make -s -C "$ROOT" capsuled bench-build >&2 || die "build failed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-bench.XXXXXX") || exit 2
chmod 755 "$WORK"	# the serving processes run as nobody
RES=$WORK/results
PIDS=""

cleanup() {
	for p in $PIDS; do
		kill "$p" 2> /dev/null
	done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2> /dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$p" 2> /dev/null
	done
	wait 2> /dev/null
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A page of exactly $1 bytes of text lines.
page() {
	awk -v n="$1" 'BEGIN {
		while (length(s) < n)
			s = s sprintf("Line %05d of the benchmark page: the quick " \
			    "brown fox jumps over the lazy dog.\n", i++)
		printf "%s\n", substr(s, 1, n - 1)
	}'
}

free_port() {
	if command -v python3 > /dev/null 2>&1; then
		python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
	else
		awk 'BEGIN { srand(); print int(20000 + rand() * 20000) }'
	fi
}

# answers MODE PORT PATH [BYTES]: the server gives loadgen one good
# answer within 5 s.
answers() {
	i=0
	until "$B/loadgen" -m "$1" -p "$2" -n 1 -u "$3" ${4:+-b "$4"} \
	    2> /dev/null | grep -q ' errors=0 '; do
		i=$((i + 1))
		[ $i -gt 50 ] && return 1
		sleep 0.1
	done
}

# Resident memory (KB) of process $1 and all its descendants.
rss_kb() {
	root=$1
	pids=$(cat /proc/[0-9]*/stat 2> /dev/null | awk -v root="$root" '
		{	# pid (comm) state ppid ...: comm may hold spaces
			l = $0
			sub(/.*\) /, "", l)
			split(l, f, " ")
			par[$1] = f[2]
		}
		END {
			member[root] = 1
			do {
				grew = 0
				for (p in par)
					if (!(p in member) && (par[p] in member)) {
						member[p] = 1
						grew = 1
					}
			} while (grew)
			for (p in member)
				print p
		}')
	total=0
	for p in $pids; do
		kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2> /dev/null)
		total=$((total + ${kb:-0}))
	done
	echo "$total"
}

# --- the capsule -----------------------------------------------------
CAP=$WORK/capsule
mkdir -p "$CAP/bench" "$WORK/certs"
GEN=$ROOT/../shared/tools/gen-capsule
if [ -f "$GEN" ] && command -v python3 > /dev/null 2>&1 &&
    python3 "$GEN" -n "$NARTICLES" --out "$CAP" -q 2> "$WORK/gen.err"; then
	say "capsule: $NARTICLES generated articles (../shared/tools/gen-capsule)"
else
	cp capsule/*.txt "$CAP/"
	say "capsule: the sample articles of capsule/"
fi
page 4096 > "$CAP/bench/4k.gmi"
# (h) a 4 KB article, served from the snapshot's cache as Spartan and
# Nex pages (/articles/benchmark-article.gmi and .txt)
awk 'BEGIN {
	print "Benchmark Article\n"
	for (i = 0; n < 3800; i++) {
		p = sprintf("Paragraph %d of the benchmark article: the quick " \
		    "brown fox jumps over the lazy dog, and the small web " \
		    "reads it over every protocol capsuled speaks.", i)
		print p "\n"
		n += length(p) + 2
	}
}' > "$CAP/zz_benchmark_article.txt"
cp "$CAP/bench/4k.gmi" "$CAP/bench/4k.txt"
page 102400 > "$CAP/bench/100k.gmi"
# an article whose HTML page (html.c) is about 4 KB: the HTTP page
{
	printf -- '---\ndate: 2000-01-01\n---\nBenchmark Article\n\n'
	page 2900 | awk 'NR % 8 == 0 { print ""; next } { printf "%s ", $0 }'
	echo
} > "$CAP/bench_article.txt"
HTTP_PAGE=/articles/benchmark-article.html
chmod -R a+rX "$CAP"
URL4K=gemini://localhost/bench/4k.gmi
URL100K=gemini://localhost/bench/100k.gmi

# --- the servers -----------------------------------------------------
LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)

./capsuled -g 0 -p 0 -s 0 -x 0 -w 0 -d "$CAP" -C "$WORK/certs" \
    2> "$WORK/capsuled.log" &
CAPSULED=$!
PIDS="$PIDS $CAPSULED"
wait_for "$WORK/capsuled.log" "serving gemini" || die "capsuled did not start"
GEM=$(sed -n 's/^capsuled: listening gemini 0\.0\.0\.0:\([0-9]*\)$/\1/p' \
    "$WORK/capsuled.log" | head -n 1)
GOPH=$(sed -n 's/^capsuled: listening gopher 0\.0\.0\.0:\([0-9]*\)$/\1/p' \
    "$WORK/capsuled.log" | head -n 1)
SPRT=$(sed -n 's/^capsuled: listening spartan 0\.0\.0\.0:\([0-9]*\)$/\1/p' \
    "$WORK/capsuled.log" | head -n 1)
NEXP=$(sed -n 's/^capsuled: listening nex 0\.0\.0\.0:\([0-9]*\)$/\1/p' \
    "$WORK/capsuled.log" | head -n 1)
HTTP=$(sed -n 's/^capsuled: listening http 0\.0\.0\.0:\([0-9]*\)$/\1/p' \
    "$WORK/capsuled.log" | head -n 1)
[ -n "$GEM" ] && [ -n "$GOPH" ] && [ -n "$SPRT" ] && [ -n "$NEXP" ] &&
    [ -n "$HTTP" ] ||
    die "no capsuled ports in its log"
sleep 0.5	# the serving process drops privileges and sandboxes itself

"$B/floor_tls" -b 4096 > "$WORK/floor_tls.out" 2>&1 &
FLOOR_TLS=$!
PIDS="$PIDS $FLOOR_TLS"
"$B/floor_tcp" -b 4096 > "$WORK/floor_tcp.out" 2>&1 &
FLOOR_TCP=$!
PIDS="$PIDS $FLOOR_TCP"
wait_for "$WORK/floor_tls.out" "^listening" || die "floor_tls did not start"
wait_for "$WORK/floor_tcp.out" "^listening" || die "floor_tcp did not start"
FTLS=$(awk '/^listening/ { print $2 }' "$WORK/floor_tls.out")
FTCP=$(awk '/^listening/ { print $2 }' "$WORK/floor_tcp.out")

MOLLY=""
MOLLY_NOTE=""
if [ "${BENCH_NO_MOLLY:-0}" = 1 ]; then
	MOLLY_NOTE="Molly Brown skipped (BENCH_NO_MOLLY=1)"
elif ! command -v molly-brown > /dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null 2>&1; then
		say "installing molly-brown with apt-get"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    molly-brown > "$WORK/apt.log" 2>&1 ||
		    { apt-get update -q > /dev/null 2>&1 &&
		    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    molly-brown >> "$WORK/apt.log" 2>&1; }
	fi
	command -v molly-brown > /dev/null 2>&1 || MOLLY_NOTE="Molly Brown \
skipped: molly-brown is not installed (as root: apt-get install molly-brown)"
fi
if [ -z "$MOLLY_NOTE" ]; then
	M=$WORK/molly
	mkdir -p "$M"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 30 \
	    -keyout "$M/key.pem" -out "$M/cert.pem" > "$M/openssl.log" 2>&1 ||
	    die "openssl req failed"
	MPORT=$(free_port)
	# the format of /etc/molly-brown/localhost.conf (TOML); Molly Brown
	# listens on every address of Port, and serves DocBase as is
	cat > "$M/molly.conf" <<-EOF
	Port = $MPORT
	Hostname = "localhost"
	CertPath = "$M/cert.pem"
	KeyPath = "$M/key.pem"
	DocBase = "$CAP"
	AccessLog = "$M/access.log"
	ErrorLog = "$M/error.log"
	EOF
	: > "$M/access.log"
	: > "$M/error.log"
	chmod 644 "$M"/*
	chmod 755 "$M"
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$M/access.log" "$M/error.log"
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    molly-brown -c "$M/molly.conf" > "$M/out.log" 2>&1 &
	else
		molly-brown -c "$M/molly.conf" > "$M/out.log" 2>&1 &
	fi
	MOLLY=$!
	PIDS="$PIDS $MOLLY"
	if ! answers gemini "$MPORT" "$URL4K"; then
		MOLLY_NOTE="Molly Brown skipped: it did not answer \
($(head -c 300 "$M/out.log" "$M/error.log" | tr '\n' ' '))"
		kill "$MOLLY" 2> /dev/null
		MOLLY=""
	fi
fi
[ -n "$MOLLY_NOTE" ] && say "$MOLLY_NOTE"

# nginx (Debian's) serving the bytes of capsuled's HTML page as a static
# file, with a minimal configuration of its own: as many workers as
# capsuled has, an access log like capsuled's, the same cap of 100
# requests per connection and 5 s idle
NGINX=""
NGINX_NOTE=""
if [ "${BENCH_NO_NGINX:-0}" = 1 ]; then
	NGINX_NOTE="nginx skipped (BENCH_NO_NGINX=1)"
elif ! command -v nginx > /dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null 2>&1; then
		say "installing nginx with apt-get"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    --no-install-recommends nginx > "$WORK/apt-nginx.log" 2>&1
	fi
	command -v nginx > /dev/null 2>&1 || NGINX_NOTE="nginx skipped: \
nginx is not installed (as root: apt-get install nginx)"
fi
"$B/loadgen" -m http -p "$HTTP" -n 1 -u "$HTTP_PAGE" > "$WORK/page.out" \
    2>&1 || true
HTTP_BYTES=$(sed -n 's/.* bytes=\([0-9]*\) .*/\1/p' "$WORK/page.out")
[ -n "$HTTP_BYTES" ] && [ "$HTTP_BYTES" -gt 0 ] ||
    die "capsuled's HTML page: $(cat "$WORK/page.out")"
if [ -z "$NGINX_NOTE" ]; then
	N=$WORK/nginx
	mkdir -p "$N/root" "$N/tmp"
	# the page's bytes, as capsuled sends them
	python3 -c 'import sys, urllib.request
sys.stdout.buffer.write(urllib.request.urlopen(urllib.request.Request(
    sys.argv[1], headers={"Host": "localhost"})).read())' \
	    "http://127.0.0.1:$HTTP$HTTP_PAGE" > "$N/root/page.html" ||
	    die "could not fetch capsuled's HTML page"
	NPORT=$(free_port)
	cat > "$N/nginx.conf" <<-EOF
	worker_processes $(nproc);
	pid $N/nginx.pid;
	error_log $N/error.log;
	events { worker_connections 4096; }
	http {
		access_log $N/access.log;
		client_body_temp_path $N/tmp;
		proxy_temp_path $N/tmp;
		fastcgi_temp_path $N/tmp;
		uwsgi_temp_path $N/tmp;
		scgi_temp_path $N/tmp;
		types { text/html html; }
		sendfile on;
		keepalive_requests 100;
		keepalive_timeout 5s;
		server {
			listen 127.0.0.1:$NPORT;
			root $N/root;
		}
	}
	EOF
	chmod -R a+rX "$N"
	nginx -c "$N/nginx.conf" -p "$N/" -g 'daemon off;' > "$N/out.log" 2>&1 &
	NGINX=$!
	PIDS="$PIDS $NGINX"
	if ! answers http "$NPORT" /page.html "$HTTP_BYTES"; then
		NGINX_NOTE="nginx skipped: it did not answer \
($(head -c 300 "$N/out.log" "$N/error.log" | tr '\n' ' '))"
		kill "$NGINX" 2> /dev/null
		NGINX=""
	fi
fi
[ -n "$NGINX_NOTE" ] && say "$NGINX_NOTE"

port_of() {
	case $1 in
	capsuled)	echo "$GEM" ;;
	floor)		echo "$FTLS" ;;
	molly)		echo "$MPORT" ;;
	esac
}
pid_of() {
	case $1 in
	capsuled)	echo "$CAPSULED" ;;
	floor)		echo "$FLOOR_TLS" ;;
	molly)		echo "$MOLLY" ;;
	esac
}

# measure CFG SERVER ROUND LOADGEN-ARGS...: one result line in $RES.
FAILED=0
measure() {
	m_cfg=$1 m_srv=$2 m_rep=$3
	shift 3
	out=$("$B/loadgen" "$@" 2>> "$WORK/loadgen.err")
	if [ -z "$out" ]; then
		say "($m_cfg) $m_srv: loadgen gave no result"
		FAILED=1
		return
	fi
	echo "$m_cfg $m_srv $m_rep $out" >> "$RES"
	echo "$out" | awk -v c="$m_cfg" -v s="$m_srv" -v r="$m_rep" '{
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			v[kv[1]] = kv[2]
		}
		fmt = "bench: (%s) %-8s #%s rps %-8s cpu/req %-7s ms"
		fmt = fmt "  p99 %-7s ms  errors %s%s\n"
		printf fmt, c, s, r, v["rps"], v["server_cpu_ms_per_req"],
		    v["p99_ms"], v["errors"],
		    ("resumed" in v) ? "  resumed " v["resumed"] : ""
	}' >&2
}

SERVERS_A="capsuled floor"
[ -n "$MOLLY" ] && SERVERS_A="$SERVERS_A molly"

say "capsuled gemini $GEM gopher $GOPH http $HTTP, floor_tls $FTLS," \
    "floor_tcp $FTCP${MOLLY:+, Molly Brown $MPORT}${NGINX:+, nginx $NPORT};" \
    "$DUR s per measurement, $REPS rounds; HTML page $HTTP_BYTES bytes"
BUSY=$(awk -v l="${LOADAVG0%% *}" 'BEGIN { print (l > 0.5) }')
[ "$BUSY" = 1 ] && say "warning: load average $LOADAVG0 before the run:" \
    "other processes use the CPUs, the numbers will be noisy"

# warm-up: every server answers, caches are filled
for srv in $SERVERS_A; do
	"$B/loadgen" -m gemini -p "$(port_of $srv)" -c 16 -n 300 -u "$URL4K" \
	    > /dev/null 2>&1
done
"$B/loadgen" -m gopher -p "$GOPH" -c 16 -n 1000 -u /bench/4k.txt > /dev/null 2>&1
"$B/loadgen" -m gophers -p "$GOPH" -c 16 -n 300 -s localhost -u /bench/4k.txt \
    > /dev/null 2>&1
"$B/loadgen" -m http -p "$HTTP" -c 16 -n 1000 -u "$HTTP_PAGE" > /dev/null 2>&1
[ -n "$NGINX" ] && "$B/loadgen" -m http -p "$NPORT" -c 16 -n 1000 \
    -u /page.html > /dev/null 2>&1

# --- (e) idle connections, first, on a capsuled that has seen little --
say "(e) idle: $IDLE_CONNS TLS + $IDLE_CONNS TCP connections held for $HOLD s"
measure e base 1 -m gemini -p "$GEM" -c 16 -d "$DUR" -u "$URL4K" -b 4096 \
    -P "$CAPSULED"
RSS0=$(rss_kb "$CAPSULED")
"$B/loadgen" -m idle -t -p "$GEM" -c "$IDLE_CONNS" -d "$HOLD" \
    > "$WORK/idle_tls.out" 2> "$WORK/idle_tls.err" &
IDLE1=$!
PIDS="$PIDS $IDLE1"
wait_for "$WORK/idle_tls.err" "idle: established" || say "idle TLS: not all established in 10 s"
# what they cost once established: capsuled gives the handshakes' freed
# memory back once a second passed without new connections
# (malloc_trim), so look a little later
sleep 2.5
RSS1=$(rss_kb "$CAPSULED")
"$B/loadgen" -m idle -p "$GOPH" -c "$IDLE_CONNS" -d "$HOLD" \
    > "$WORK/idle_tcp.out" 2> "$WORK/idle_tcp.err" &
IDLE2=$!
PIDS="$PIDS $IDLE2"
wait_for "$WORK/idle_tcp.err" "idle: established" || say "idle TCP: not all established in 10 s"
sleep 0.5
RSS2=$(rss_kb "$CAPSULED")
measure e idle 1 -m gemini -p "$GEM" -c 16 -d "$DUR" -u "$URL4K" -b 4096 \
    -P "$CAPSULED"
RSS3=$(rss_kb "$CAPSULED")
wait "$IDLE1" "$IDLE2"
RSS4=$(rss_kb "$CAPSULED")
HELD_TLS=$(sed -n 's/.*established held=\([0-9]*\).*/\1/p' "$WORK/idle_tls.err")
HELD_TCP=$(sed -n 's/.*established held=\([0-9]*\).*/\1/p' "$WORK/idle_tcp.err")
echo "e idle_tls 1 $(cat "$WORK/idle_tls.out")" >> "$RES"
echo "e idle_tcp 1 $(cat "$WORK/idle_tcp.out")" >> "$RES"
say "(e) RSS KB: before $RSS0, +TLS $RSS1, +TCP $RSS2, after load $RSS3," \
    "after the idle ones closed $RSS4"
say "(e) $(cat "$WORK/idle_tls.out")"
say "(e) $(cat "$WORK/idle_tcp.out")"

# --- (a) (b) (c) (d) (h) (n) (g) (f), interleaved, REPS rounds ---------
rep=1
while [ $rep -le "$REPS" ]; do
	say "round $rep of $REPS"
	for srv in $SERVERS_A; do
		measure a $srv $rep -m gemini -p "$(port_of $srv)" -c 64 \
		    -d "$DUR" -u "$URL4K" -b 4096 -P "$(pid_of $srv)"
	done
	for srv in capsuled floor; do
		measure b $srv $rep -m gemini -p "$(port_of $srv)" -c 256 \
		    -d "$DUR" -u "$URL4K" -b 4096 -P "$(pid_of $srv)"
	done
	# (c) each ticket used once (OpenSSL's way, RFC 8446 C.4); (r)
	# one ticket offered until a new one comes (Python's ssl way)
	for srv in $SERVERS_A; do
		measure c $srv $rep -m gemini-once -p "$(port_of $srv)" \
		    -c 64 -d "$DUR" -u "$URL4K" -b 4096 -P "$(pid_of $srv)"
		measure r $srv $rep -m gemini-resume -p "$(port_of $srv)" \
		    -c 64 -d "$DUR" -u "$URL4K" -b 4096 -P "$(pid_of $srv)"
	done
	measure d capsuled $rep -m gopher -p "$GOPH" -c 64 -d "$DUR" \
	    -u /bench/4k.txt -b 4096 -P "$CAPSULED"
	measure d floor $rep -m gopher -p "$FTCP" -c 64 -d "$DUR" \
	    -u /bench/4k.txt -b 4096 -P "$FLOOR_TCP"
	# (h) Spartan and (n) Nex: a 4 KB article, against (d)'s floor
	measure h capsuled $rep -m spartan -p "$SPRT" -c 64 -d "$DUR" \
	    -u /articles/benchmark-article.gmi -P "$CAPSULED"
	measure n capsuled $rep -m nex -p "$NEXP" -c 64 -d "$DUR" \
	    -u /articles/benchmark-article.txt -P "$CAPSULED"
	# (g) Gopher over TLS on capsuled's Gopher port; floor_tls answers a
	# selector without the Gemini header
	measure g capsuled $rep -m gophers -p "$GOPH" -c 64 -d "$DUR" \
	    -s localhost -u /bench/4k.txt -b 4096 -P "$CAPSULED"
	measure g floor $rep -m gophers -p "$FTLS" -c 64 -d "$DUR" \
	    -s localhost -u /bench/4k.txt -b 4096 -P "$FLOOR_TLS"
	for srv in capsuled molly; do
		[ $srv = molly ] && [ -z "$MOLLY" ] && continue
		measure f $srv $rep -m gemini-resume -p "$(port_of $srv)" \
		    -c 16 -d "$DUR" -u "$URL100K" -b 102400 -P "$(pid_of $srv)"
	done
	# (w) HTTP keep-alive, (w') one request per connection
	for cfg in w w1; do
		m=http
		[ $cfg = w1 ] && m=http-close
		measure $cfg capsuled $rep -m $m -p "$HTTP" -c 64 -d "$DUR" \
		    -u "$HTTP_PAGE" -b "$HTTP_BYTES" -P "$CAPSULED"
		[ -n "$NGINX" ] && measure $cfg nginx $rep -m $m -p "$NPORT" \
		    -c 64 -d "$DUR" -u /page.html -b "$HTTP_BYTES" -P "$NGINX"
	done
	rep=$((rep + 1))
done
LOADAVG1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table -------------------------------------------------------
# med CFG SERVER KEY: the median over the rounds ("-" when none)
med() {
	awk -v c="$1" -v s="$2" -v k="$3" '
		$1 == c && $2 == s {
			for (i = 4; i <= NF; i++)
				if (index($i, k "=") == 1)
					v[n++] = substr($i, length(k) + 2) + 0
		}
		END {
			if (n == 0) { print "-"; exit }
			for (i = 1; i < n; i++)
				for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
					t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
				}
			x = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
			if (x >= 100) printf "%.0f\n", x
			else if (x >= 1) printf "%.2f\n", x
			else printf "%.4f\n", x
		}' "$RES"
}
# total CFG SERVER KEY: the sum over the rounds
total() {
	awk -v c="$1" -v s="$2" -v k="$3" '
		$1 == c && $2 == s {
			for (i = 4; i <= NF; i++)
				if (index($i, k "=") == 1) {
					t += substr($i, length(k) + 2)
					n++
				}
		}
		END { if (n) print t + 0; else print "-" }' "$RES"
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 == 0) print "-"
		else printf "%.2f\n", a / b
	}'
}
row() {	# LABEL VALUES...: a table row
	printf '| %s |' "$1"
	shift
	for v in "$@"; do
		printf ' %s |' "$v"
	done
	printf '\n'
}
# pair_table CFG TITLE SERVER COLUMN RATIO KEY...: capsuled against SERVER
# (its column named COLUMN, the ratio RATIO) in CFG: a row per loadgen
# KEY, with the ratio of the medians (not of the resumed fraction), then
# the errors of all rounds.
pair_table() {
	pt_cfg=$1 pt_srv=$3
	row "$2" capsuled "$4" "$5"
	row --- --- --- ---
	shift 5
	for k in "$@"; do
		a_=$(med "$pt_cfg" capsuled "$k")
		b_=$(med "$pt_cfg" "$pt_srv" "$k")
		r_=""
		[ "$k" != resumed ] && r_=$(ratio "$a_" "$b_")
		case $k in
		rps)	l_="requests/s" ;;
		server_cpu_ms_per_req)	l_="server CPU ms/request" ;;
		mb_s)	l_="MB/s" ;;
		resumed)	l_="resumed fraction" ;;
		*)	l_="${k%_ms} ms" ;;
		esac
		row "$l_" "$a_" "$b_" "$r_"
	done
	row "errors (all rounds)" "$(total "$pt_cfg" capsuled errors)" \
	    "$(total "$pt_cfg" "$pt_srv" errors)" ""
	echo
}
val() {	# KEY FILE: a key's value in a loadgen line
	sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2"
}

MCOL="Molly Brown"
[ -z "$MOLLY" ] && MCOL="Molly Brown (skipped)"
ca=$(med a capsuled server_cpu_ms_per_req); fa=$(med a floor server_cpu_ms_per_req)
ma=$(med a molly server_cpu_ms_per_req)
cr=$(med a capsuled rps); fr=$(med a floor rps); mr=$(med a molly rps)

echo
echo "capsuled benchmarks: $DUR s per measurement, median of $REPS rounds;" \
    "$(nproc) CPUs; load average $LOADAVG0 before, $LOADAVG1 after"
[ "$BUSY" = 1 ] && echo "(other processes were busy before the run:" \
    "the numbers are noisy)"
echo
row "(a) Gemini 4 KB, full handshakes, 64 clients" capsuled floor_tls "$MCOL" capsuled/floor capsuled/Molly
row --- --- --- --- --- ---
row "server CPU ms/request" "$ca" "$fa" "$ma" "$(ratio "$ca" "$fa")" "$(ratio "$ca" "$ma")"
row "requests/s" "$cr" "$fr" "$mr" "$(ratio "$cr" "$fr")" "$(ratio "$cr" "$mr")"
row "p99 ms" "$(med a capsuled p99_ms)" "$(med a floor p99_ms)" "$(med a molly p99_ms)" "" ""
row "errors (all rounds)" "$(total a capsuled errors)" "$(total a floor errors)" "$(total a molly errors)" "" ""
echo
pair_table b "(b) Gemini 4 KB, full handshakes, 256 clients" floor floor_tls \
    capsuled/floor p99_ms p50_ms rps
# resume_table CFG TITLE: the resumption table of CFG (c or r)
resume_table() {
	rc_=$(med "$1" capsuled server_cpu_ms_per_req)
	rf_=$(med "$1" floor server_cpu_ms_per_req)
	row "$2" capsuled floor_tls "$MCOL" capsuled/floor
	row --- --- --- --- ---
	row "server CPU ms/request" "$rc_" "$rf_" "$(med "$1" molly server_cpu_ms_per_req)" "$(ratio "$rc_" "$rf_")"
	row "resumed fraction" "$(med "$1" capsuled resumed)" "$(med "$1" floor resumed)" "$(med "$1" molly resumed)" ""
	row "requests/s" "$(med "$1" capsuled rps)" "$(med "$1" floor rps)" "$(med "$1" molly rps)" "$(ratio "$(med "$1" capsuled rps)" "$(med "$1" floor rps)")"
	row "errors (all rounds)" "$(total "$1" capsuled errors)" "$(total "$1" floor errors)" "$(total "$1" molly errors)" ""
	echo
}
resume_table c "(c) Gemini 4 KB, resumption, each ticket used once, 64 clients"
resume_table r "(c') Gemini 4 KB, resumption, a ticket reused until a new one comes, 64 clients"
pair_table d "(d) Gopher 4 KB, 64 clients" floor floor_tcp capsuled/floor \
    rps server_cpu_ms_per_req p99_ms
hc_=$(med h capsuled server_cpu_ms_per_req)
nc_=$(med n capsuled server_cpu_ms_per_req)
fd_=$(med d floor server_cpu_ms_per_req)
row "(h) Spartan and Nex, a 4 KB article, 64 clients" "capsuled Spartan" "capsuled Nex" \
    "floor_tcp (d)" "Spartan/floor" "Nex/floor"
row --- --- --- --- --- ---
row "server CPU ms/request" "$hc_" "$nc_" "$fd_" "$(ratio "$hc_" "$fd_")" \
    "$(ratio "$nc_" "$fd_")"
row "requests/s" "$(med h capsuled rps)" "$(med n capsuled rps)" \
    "$(med d floor rps)" "$(ratio "$(med h capsuled rps)" "$(med d floor rps)")" \
    "$(ratio "$(med n capsuled rps)" "$(med d floor rps)")"
row "p99 ms" "$(med h capsuled p99_ms)" "$(med n capsuled p99_ms)" \
    "$(med d floor p99_ms)" "" ""
row "errors (all rounds)" "$(total h capsuled errors)" \
    "$(total n capsuled errors)" "$(total d floor errors)" "" ""
echo
pair_table g "(g) Gopher over TLS 4 KB, full handshakes, 64 clients" floor \
    floor_tls capsuled/floor server_cpu_ms_per_req rps p99_ms
per() {	# KB growth per connection
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {
		if (n + 0 == 0) print "-"; else printf "%.1f\n", (b - a) / n }'
}
row "(e) capsuled holding idle connections" "value"
row --- ---
row "RSS growth per idle TLS connection (KB)" "$(per "$RSS0" "$RSS1" "$HELD_TLS") ($HELD_TLS held)"
row "RSS growth per idle TCP connection (KB)" "$(per "$RSS1" "$RSS2" "$HELD_TCP") ($HELD_TCP held)"
row "RSS KB: before, +TLS, +TCP, after the load, after they closed" \
    "$RSS0, $RSS1, $RSS2, $RSS3, $RSS4"
row "p99 ms of 16 Gemini clients: alone / with the idle ones" "$(med e base p99_ms) / $(med e idle p99_ms)"
row "errors of those requests: alone / with the idle ones" "$(total e base errors) / $(total e idle errors)"
for k in tls tcp; do
	f=$WORK/idle_$k.out
	when=""
	if [ -n "$(val first_close_s "$f")" ]; then
		when=" (first $(val first_close_s "$f"), median"
		when="$when $(val median_close_s "$f"), last"
		when="$when $(val last_close_s "$f"))"
	fi
	row "idle $k: held, refused, closed by the server (when, s)" \
	    "$(val held "$f"), $(val refused "$f"), $(val closed_by_server "$f")$when"
done
echo
pair_table f "(f) Gemini 100 KB, session resumption, 16 clients" molly \
    "$MCOL" capsuled/Molly mb_s server_cpu_ms_per_req resumed
NCOL=nginx
[ -z "$NGINX" ] && NCOL="nginx (skipped)"
# the HTML mirror against nginx serving the same bytes (issue 16: server
# CPU per request <= 1.2 x nginx's, requests/s >= 0.9 x, no error)
for cfg in w w1; do
	t_="(w) HTTP, the $HTTP_BYTES-byte HTML article page, keep-alive, 64 clients"
	[ $cfg = w1 ] && t_="(w') HTTP, the same page, one request per connection, 64 clients"
	pair_table $cfg "$t_" nginx "$NCOL" capsuled/nginx \
	    server_cpu_ms_per_req rps p99_ms
	echo "$cfg" "$(ratio "$(med $cfg capsuled server_cpu_ms_per_req)" \
	    "$(med $cfg nginx server_cpu_ms_per_req)")" \
	    "$(ratio "$(med $cfg capsuled rps)" "$(med $cfg nginx rps)")" \
	    "$(total $cfg capsuled errors)" | awk '{
		cpu = $2 != "-" && $2 <= 1.2; rps = $3 != "-" && $3 >= 0.9
		printf "(%s) targets: CPU/request %s x nginx (<= 1.2: %s), " \
		    "requests/s %s x (>= 0.9: %s), errors %s (0: %s)\n\n",
		    $1 == "w" ? "w" : "w'\''", $2, cpu ? "met" : "not met", $3,
		    rps ? "met" : "not met", $4, $4 == 0 ? "met" : "not met" }'
done
[ -n "$MOLLY_NOTE" ] && echo "Note: $MOLLY_NOTE" && echo
[ -n "$NGINX_NOTE" ] && echo "Note: $NGINX_NOTE" && echo

# --- what went wrong --------------------------------------------------
ERRS=$(awk '{ for (i = 4; i <= NF; i++) if ($i ~ /^err_/) {
	split($i, kv, "="); t[$2 " " kv[1]] += kv[2] } }
	END { for (k in t) printf "%s=%d ", k, t[k] }' "$RES")
echo "client-side errors by server and kind: ${ERRS:-none}"
if [ -s "$WORK/loadgen.err" ]; then
	echo "first client messages:"
	sort "$WORK/loadgen.err" | uniq -c | sort -rn | head -n 8 | sed 's/^/    /'
fi
# capsuled's access log (capsuled(8), ACCESS LOG):
# `... "REQUEST" OUTCOME SENT SIZE TIMEms END`
awk '/" [^ ]+ [0-9]+ [0-9]+ [0-9.]+ms [a-z]+$/ { n[$(NF - 4) "/" $NF]++; next }
	/capsuled: (listening|serving|created|running as|Landlock|seccomp)/ { next }
	/text index of [0-9]+ articles? built/ { next }
	/warning: related article/ { next }
	{ other++; if (other <= 5) print "    capsuled: " $0 }
	END {
		printf "capsuled access log by outcome/end:"
		for (s in n) printf " %s=%d", s, n[s]
		printf "; %d other log lines\n", other
	}' "$WORK/capsuled.log"
if [ -n "$MOLLY" ]; then
	echo "Molly Brown error log: $(wc -l < "$M/error.log") lines" \
	    "$(head -n 3 "$M/error.log" | tr '\n' ' ')"
fi
if [ -n "$NGINX" ]; then
	echo "nginx error log: $(wc -l < "$N/error.log") lines" \
	    "$(head -n 3 "$N/error.log" | tr '\n' ' ')"
fi
echo "command: ${BENCH_QUICK:+BENCH_QUICK=$BENCH_QUICK }sh bench/run.sh" \
    "(capsuled $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null)," \
    "$(openssl version 2> /dev/null | cut -d' ' -f1-2))"
[ $FAILED -eq 0 ] || die "some measurements gave no result"
if [ "${BENCH_BALANCER:-0}" = 1 ]; then
	sh "$ROOT/bench/balancer.sh" || die "bench/balancer.sh failed"
fi
exit 0

#!/bin/sh
# haproxy.sh [BIN]: three instances behind Debian's HAProxy configured by
# contrib/haproxy.cfg (see tests/haproxy_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/haproxy_test.py "${1:-./capsuled}"

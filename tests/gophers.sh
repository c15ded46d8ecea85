#!/bin/sh
# gophers.sh [BIN]: Gopher over TLS on the Gopher port, with curl,
# Python's ssl module, openssl s_client and raw sockets (see
# tests/gophers_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/gophers_test.py "${1:-./capsuled}"

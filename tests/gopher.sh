#!/bin/sh
# gopher.sh [BIN]: integration test of the Gopher listener with raw
# sockets, curl and lynx (see tests/gopher_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/gopher_test.py "${1:-./capsuled}"

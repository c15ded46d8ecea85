#!/bin/sh
# titan.sh [BIN]: Titan uploads with client certificates made by
# openssl, through Python's ssl module (see tests/titan_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/titan_test.py "${1:-./capsuled}"

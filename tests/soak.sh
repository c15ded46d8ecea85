#!/bin/sh
# soak.sh [BIN]: every listener and Titan under readers, authors,
# reloads, a kill -9, slow clients and accept() failing, for
# SOAK_SECONDS (default 600; see tests/soak_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/soak_test.py "${1:-./capsuled}"

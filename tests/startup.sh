#!/bin/sh
# startup.sh [BIN]: files dropped while capsuled starts are all served
# (tests/startup_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/startup_test.py "${1:-./capsuled}"

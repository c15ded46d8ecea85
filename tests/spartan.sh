#!/bin/sh
# spartan.sh [BIN]: integration test of the Spartan listener with raw
# sockets, against the Gemini pages (see tests/spartan_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/spartan_test.py "${1:-./capsuled}"

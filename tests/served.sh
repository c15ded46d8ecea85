#!/bin/sh
# served.sh [BIN] [--update]: the pages the real server sends over Gemini
# and Gopher, byte for byte, against tests/golden/served/ (default BIN
# ./capsuled).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/served_test.py "${1:-./capsuled}" ${2:+"$2"}

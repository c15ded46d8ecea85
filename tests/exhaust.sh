#!/bin/sh
# exhaust.sh [BIN]: out of descriptors, the server stops accepting for a
# moment instead of spinning, says so at a bounded rate, and accepts
# again (default BIN ./capsuled).
cd "$(dirname "$0")/.." || exit 2
python3 tests/exhaust_test.py "${1:-./capsuled}"

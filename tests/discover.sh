#!/bin/sh
# discover.sh [BIN]: the similar-articles and search integration test
# against the real binary (default ./capsuled).
cd "$(dirname "$0")/.." || exit 2
python3 tests/discover_test.py "${1:-./capsuled}"

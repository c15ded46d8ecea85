#!/bin/sh
# wellknown.sh [BIN]: robots.txt, favicon.txt and security.txt are served
# as files and never listed as articles, also while the capsule changes
# (default BIN ./capsuled).
cd "$(dirname "$0")/.." || exit 2
python3 tests/wellknown_test.py "${1:-./capsuled}"

#!/bin/sh
# access.sh [BIN]: replies to slow readers (whole when they make
# progress, visibly cut short when they stop) and the access log's
# fields, against the real binary (default ./capsuled).  Runs as root.
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/access_test.py "${1:-./capsuled}"

#!/bin/sh
# reload.sh [BIN]: what SIGHUP applies, key by key, and the certificates
# capsuled makes for a host and its aliases, against the real binary
# (default ./capsuled).
cd "$(dirname "$0")/.." || exit 2
python3 tests/reload_test.py "${1:-./capsuled}"

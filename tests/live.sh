#!/bin/sh
# live.sh [BIN]: the live-capsule, virtual-host, SIGHUP and SIGTERM
# integration test against the real binary (default ./capsuled).
cd "$(dirname "$0")/.." || exit 2
python3 tests/live_test.py "${1:-./capsuled}"

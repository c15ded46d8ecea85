#!/bin/sh
# hostile.sh [BIN]: capsuled against hostile and careless clients
# (slowloris, floods, garbage, clients that never read), its sandbox and
# its limits, against the real binary (default ./capsuled).  Runs as
# root, as CI does.
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/hostile_test.py "${1:-./capsuled}"

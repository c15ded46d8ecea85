#!/bin/sh
# nex.sh [BIN]: integration test of the Nex listener with a raw socket,
# nc and lynx (see tests/nex_test.py).
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/nex_test.py "${1:-./capsuled}"

#!/bin/sh
# Many parallel clients on both protocols, each answer byte-identical.
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/concurrency_test.py "${1:-./capsuled}"

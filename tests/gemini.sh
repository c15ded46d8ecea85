#!/bin/sh
# gemini.sh [BIN]: the Gemini integration test against the real binary
# (default ./capsuled), with Python's ssl module and openssl s_client.
cd "$(dirname "$0")/.." || exit 2
exec python3 tests/gemini_test.py "${1:-./capsuled}"

#!/bin/sh
# http.sh [BIN]: the HTML mirror over HTTP with curl, raw sockets and
# tidy: pages, headers, conditional GET, the 4xx cases, persistent
# connections, hostile articles inert (default BIN ./capsuled).
cd "$(dirname "$0")/.." || exit 2
python3 tests/http_test.py "${1:-./capsuled}"

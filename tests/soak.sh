#!/bin/sh
# soak.sh [BIN]: every listener and Titan under readers, authors,
# reloads, a kill -9, slow, idle and bursting clients, descriptors and
# disk space exhausted, for SOAK_SECONDS (default 600; see
# tests/soak_test.py).  As root it runs in a private mount namespace,
# where the capsule gets a tmpfs of its own to fill.
cd "$(dirname "$0")/.." || exit 2
if [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null 2>&1 &&
    unshare -m --propagation private true 2> /dev/null; then
	SOAK_TMPFS=1 exec unshare -m --propagation private \
	    python3 tests/soak_test.py "${1:-./capsuled}"
fi
exec python3 tests/soak_test.py "${1:-./capsuled}"

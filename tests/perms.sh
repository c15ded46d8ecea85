#!/bin/sh
# perms.sh [BIN]: what the serving user cannot read: start-up, -n,
# check -c, SIGHUP and files made unreadable while served
# (capsuled(8), START-UP CHECKS and "Files that cannot be read").
cd "$(dirname "$0")/.." || exit 2
python3 tests/perms_test.py "${1:-./capsuled}"

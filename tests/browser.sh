#!/bin/sh
# browser.sh [BIN]: the HTML mirror in Debian's chromium through
# playwright-core, with axe-core (tests/browser/crawl.mjs); screenshots
# go to build/browser/.  Without chromium, node or the npm packages
# (tools/deps installs them) the checks count as skipped, with the
# reason (default BIN ./capsuled).
cd "$(dirname "$0")/.." || exit 2
BIN=$(cd "$(dirname "${1:-./capsuled}")" && pwd)/$(basename "${1:-./capsuled}")
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
why=""
if [ ! -x "$CHROMIUM" ]; then
	why="no $CHROMIUM (apt-get install chromium)"
elif ! command -v node > /dev/null 2>&1; then
	why="no node"
elif [ ! -d tests/browser/node_modules/playwright-core ] ||
    [ ! -d tests/browser/node_modules/axe-core ]; then
	why="no tests/browser/node_modules (sh tools/deps installs them)"
fi
if [ -n "$why" ]; then
	echo "skipped browser: $why"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
mkdir -p build/browser
CHROMIUM=$CHROMIUM node tests/browser/crawl.mjs "$BIN" build/browser

#!/bin/sh
# golden.sh BIN [--update]: render every fixture in tests/golden/capsule
# with `capsuled convert` (gemtext, Gopher menu, Gopher text), the home
# page, the root menu, the Atom feed and `capsuled check`, and compare
# each with tests/golden/expected/ using diff -u.  --update rewrites the
# expected files instead (review the diff before committing them).
#
# The fixtures are copied to a temporary capsule whose files all get the
# same modification time, so dates taken from mtime are stable.

cd "$(dirname "$0")/.." || exit 2
BIN=$(realpath "${1:-./capsuled}")
. tests/lib.sh

EXP=tests/golden/expected
OUT=$T_TMP/out
mkdir -p "$OUT"
cp -R tests/golden/capsule "$T_TMP/capsule"
touch -d '2020-01-02 03:04:05 UTC' "$T_TMP"/capsule/*

for f in "$T_TMP"/capsule/*.txt; do
	b=$(basename "$f" .txt)
	"$BIN" convert "$f" > "$OUT/$b.gmi"
	"$BIN" convert --gopher "$f" > "$OUT/$b.gophermap"
	"$BIN" convert --gopher-text "$f" > "$OUT/$b.gopher.txt"
	"$BIN" convert --gopher-text --strict "$f" > "$OUT/$b.strict.txt"
done
"$BIN" convert --home -d "$T_TMP/capsule" > "$OUT/home.gmi"
"$BIN" convert --home --gopher -d "$T_TMP/capsule" > "$OUT/home.gophermap"
"$BIN" convert --atom -H example.org -g 1966 -d "$T_TMP/capsule" \
    > "$OUT/atom.xml"
(cd "$T_TMP" && "$BIN" check -d capsule) > "$OUT/check.txt"

if [ "$1" = "--update" ] || [ "$2" = "--update" ]; then
	rm -f "$EXP"/*
	cp "$OUT"/* "$EXP"/
	echo "updated $(ls "$EXP" | wc -l) files in $EXP"
fi

for want in "$EXP"/*; do
	check_diff "golden $(basename "$want")" "$want" "$OUT/$(basename "$want")"
done
for got in "$OUT"/*; do
	[ -e "$EXP/$(basename "$got")" ] ||
	    fail "golden $(basename "$got")" "no expected file (run --update)"
done
for got in "$OUT"/*.gmi; do
	run_test "clean text $(basename "$got")" clean_text "$got"
done
for got in "$OUT"/*.gopher.txt "$OUT"/*.strict.txt; do
	run_test "clean text $(basename "$got")" clean_text "$got" crlf
done
for got in "$OUT"/*.gophermap; do
	run_test "clean menu $(basename "$got")" clean_text "$got" menu
done
if command -v xmllint > /dev/null; then
	run_test "atom.xml is well-formed XML" xmllint --noout "$OUT/atom.xml"
fi
finish

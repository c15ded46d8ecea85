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
clean_texts "$T_TMP/clean.lf" lf "$OUT"/*.gmi
clean_texts "$T_TMP/clean.crlf" crlf "$OUT"/*.gopher.txt "$OUT"/*.strict.txt
clean_texts "$T_TMP/clean.menu" menu "$OUT"/*.gophermap
for got in "$OUT"/*.gmi; do
	run_test "clean text $(basename "$got")" clean_ok "$T_TMP/clean.lf" "$got"
done
for got in "$OUT"/*.gopher.txt "$OUT"/*.strict.txt; do
	run_test "clean text $(basename "$got")" clean_ok "$T_TMP/clean.crlf" \
	    "$got"
done
for got in "$OUT"/*.gophermap; do
	run_test "clean menu $(basename "$got")" clean_ok "$T_TMP/clean.menu" \
	    "$got"
done
if command -v xmllint > /dev/null; then
	run_test "atom.xml is well-formed XML" xmllint --noout "$OUT/atom.xml"
fi

# Stable addresses (capsuled(8), FORMAT): Cyrillic and Greek titles are
# transliterated, an all-CJK title in an all-CJK file name is addressed
# by a hash of that name, and adding or removing articles with other
# titles moves none of them.  "title address" lines, from the home page.
S=$T_TMP/stable
mkdir -p "$S"
addresses() {
	"$BIN" convert --home -d "$S" |
	    sed -n 's|^=> /articles/\([^ ]*\)\.gmi [0-9-]* \(.*\)$|\2 \1|p' |
	    LC_ALL=C sort
}
printf 'Вторая статья о подъезде\nbody\n' > "$S/вторая.txt"
printf '味噌\nbody\n' > "$S/味噌汁.txt"
printf 'Ελληνική Κουζίνα\nbody\n' > "$S/κουζίνα.txt"
printf '日本\nbody\n' > "$S/m.txt"
printf 'Zebra\nbody\n' > "$S/z.txt"
LC_ALL=C sort > "$T_TMP/stable.want" <<'EOF'
Вторая статья о подъезде vtoraya-statya-o-podezde
Ελληνική Κουζίνα elliniki-kouzina
Zebra zebra
味噌 a-e18c964a
日本 m
EOF
addresses > "$T_TMP/stable.before"
check_diff "stable: Cyrillic, Greek, CJK addresses" "$T_TMP/stable.want" \
    "$T_TMP/stable.before"
# others before, between and after them (авто.txt: a Cyrillic name)
printf 'Авто\nbody\n' > "$S/авто.txt"
printf '出汁\nbody\n' > "$S/出汁.txt"
printf '一\nbody\n' > "$S/一.txt"
printf '日本語\nbody\n' > "$S/a.txt"
printf 'Ελλάδα\nbody\n' > "$S/0.txt"
addresses > "$T_TMP/stable.got"
run_test "stable: 10 articles" [ "$(wc -l < "$T_TMP/stable.got")" -eq 10 ]
LC_ALL=C comm -23 "$T_TMP/stable.before" "$T_TMP/stable.got" > "$T_TMP/moved"
check_diff "stable: none moved when 5 were added" /dev/null "$T_TMP/moved"
rm "$S/вторая.txt" "$S/0.txt" "$S/一.txt"
grep -v '^Вторая' "$T_TMP/stable.before" > "$T_TMP/stable.kept"
addresses > "$T_TMP/stable.got"
LC_ALL=C comm -23 "$T_TMP/stable.kept" "$T_TMP/stable.got" > "$T_TMP/moved"
check_diff "stable: none moved when 3 were removed" /dev/null "$T_TMP/moved"
finish

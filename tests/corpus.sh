#!/bin/sh
# corpus.sh BIN SHARED: the checks against ../shared/corpus, when it
# exists (a user's clone has no ../shared: then the whole suite is one
# skipped check, with the reason, and the tally says "1 skipped").
#  - `capsuled convert` reproduces every file of corpus/expected/ byte
#    for byte;
#  - `capsuled check` over corpus/articles skips nothing and warns only
#    of the unpublished related titles listed in the README, section 7.2;
#  - every slug matches the table of section 7.5.

cd "$(dirname "$0")/.." || exit 2
BIN=$(realpath "${1:-./capsuled}")
SHARED=${2:-../shared}
. tests/lib.sh

C=$SHARED/corpus
if [ ! -d "$C/articles" ]; then
	skip "corpus checks" "no $C/articles (development machines only)"
	finish
	exit
fi

for want in "$C"/expected/*.gmi; do
	b=$(basename "$want" .gmi)
	"$BIN" convert "$C/articles/$b.txt" > "$T_TMP/$b.gmi"
	check_diff "corpus expected/$b.gmi" "$want" "$T_TMP/$b.gmi"
done

# Each article converts, and its output is clean text (all converted
# first, then checked with one python start per form).
A=$T_TMP/all
mkdir "$A"
for src in "$C"/articles/*.txt; do
	b=$(basename "$src" .txt)
	"$BIN" convert "$src" > "$A/$b.gmi" &&
	    "$BIN" convert --gopher "$src" > "$A/$b.map" &&
	    "$BIN" convert --gopher-text "$src" > "$A/$b.txt" &&
	    : > "$A/$b.converted"
done
clean_texts "$T_TMP/clean.gmi" lf "$A"/*.gmi
clean_texts "$T_TMP/clean.map" menu "$A"/*.map
clean_texts "$T_TMP/clean.txt" crlf "$A"/*.txt
for src in "$C"/articles/*.txt; do
	b=$(basename "$src" .txt)
	if [ -e "$A/$b.converted" ] &&
	    clean_ok "$T_TMP/clean.gmi" "$A/$b.gmi" &&
	    clean_ok "$T_TMP/clean.map" "$A/$b.map" &&
	    clean_ok "$T_TMP/clean.txt" "$A/$b.txt"; then
		pass "corpus convert $b"
	else
		fail "corpus convert $b"
	fi
done

# check: exactly the section 7.2 warnings, nothing skipped, exit 0.
"$BIN" check -d "$C/articles" > "$T_TMP/check.out"
run_test "corpus check exits 0" [ $? -eq 0 ]
sed -n '/^### 7.2/,/^### 7.3/p' "$C/README.md" |
    sed -n 's/^| `\([0-9_a-f]*\.txt\)` | \(.*\) |$/\1 \2/p' |
    sort > "$T_TMP/want-warn"
sed -n 's|^.*/\([^/]*\.txt\): warning: related article "\(.*\)" not found.*|\1 \2|p' \
    "$T_TMP/check.out" | sort > "$T_TMP/got-warn"
run_test "README 7.2 lists 10 titles" [ "$(wc -l < "$T_TMP/want-warn")" -eq 10 ]
check_diff "corpus check warnings = README 7.2" "$T_TMP/want-warn" \
    "$T_TMP/got-warn"
run_test "corpus check summary" grep -qx \
    'capsuled check: 40 articles, 0 skipped, 10 warnings' "$T_TMP/check.out"

# Slugs: the table of section 7.5 against the home page links.
sed -n 's/^| \([0-9]\{3\}_[0-9a-f]*\.txt\) | `\([^`]*\)` |.*/\2/p' \
    "$C/README.md" | sort > "$T_TMP/want-slugs"
"$BIN" convert --home -d "$C/articles" |
    sed -n 's|^=> /articles/\([^ ]*\)\.gmi .*|\1|p' | sort > "$T_TMP/got-slugs"
run_test "README 7.5 lists 40 slugs" [ "$(wc -l < "$T_TMP/want-slugs")" -eq 40 ]
check_diff "corpus slugs = README 7.5" "$T_TMP/want-slugs" "$T_TMP/got-slugs"
finish

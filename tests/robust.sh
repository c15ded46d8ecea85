#!/bin/sh
# robust.sh BIN: bad input never crashes, hangs or leaks control
# characters.  A capsule of hostile files must give one line per skipped
# file naming it (escaped) and the reason, serve the rest, and exit 1.

cd "$(dirname "$0")/.." || exit 2
BIN=$(realpath "${1:-./capsuled}")
. tests/lib.sh

D=$T_TMP/capsule
mkdir -p "$D/sub.txt" "$D/notes"
printf 'Good Article\nIt links to\nBad Names Are Fine\ns\nREAD MORE' > "$D/good.txt"
: > "$D/empty.txt"
printf '\357\273\277' > "$D/bom-only.txt"
printf '\n \t \r\n\r\n' > "$D/blank.txt"
printf '%s\n' '---' 'date: 2024-01-01' '---' > "$D/front-only.txt"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 16)' \
    > "$D/random.txt"
printf 'PNG\000\000\000\001\002\003\004\005\006\007\010\016\017' > "$D/small-binary.txt"
printf 'Title\377\376 Latin-1 \200\201 bytes\nbody \300\257 overlong\n' > "$D/invalid-utf8.txt"
# A 3 MB paragraph on one line is fine; a 9 MB file is too large.
{ printf 'Huge Line\n'; head -c 3000000 /dev/zero | tr '\0' 'x'; } > "$D/huge-line.txt"
{ printf 'Too Large\n'; head -c 9000000 /dev/zero | tr '\0' 'y'; } > "$D/too-large.txt"
printf 'Bad Names Are Fine\nspaces and UTF-8 in the name' > "$D/name with spaces é.txt"
printf 'Escape In Name\nx' > "$D/$(printf 'esc\033[2Jname.txt')"
printf 'Newline In Name\nx' > "$D/$(printf 'new\nline.txt')"
printf 'Hidden\nx' > "$D/.hidden.txt"
printf 'Not an article' > "$D/notes/inside.txt"
printf 'gemtext page' > "$D/page.gmi"
ln -s /etc/passwd "$D/link.txt"
mkfifo "$D/fifo.txt"
# a directory named like an article is no article, and no problem
mkdir "$D/folder.txt"
chmod -R a+rX "$D"

run_bounded() {
	# no test may hang: everything runs under a deadline
	timeout 60 "$@"
}

run_bounded "$BIN" check -d "$D" > "$T_TMP/check.out" 2> "$T_TMP/check.err"
status=$?
run_test "check exits 1 when files are skipped (got $status)" [ $status -eq 1 ]
run_test "check stdout is clean" clean_text "$T_TMP/check.out"
run_test "check stderr is empty" [ ! -s "$T_TMP/check.err" ]

cat > "$T_TMP/want" <<'WANT'
CAPS/blank.txt: skipped: no text (only blank lines)
CAPS/bom-only.txt: skipped: no text (only blank lines)
CAPS/empty.txt: skipped: empty file
CAPS/fifo.txt: skipped: not a regular file
CAPS/front-only.txt: skipped: no title after the front matter
CAPS/link.txt: skipped: symbolic link (not followed)
CAPS/random.txt: skipped: binary file (more than 5% control bytes)
CAPS/small-binary.txt: skipped: binary file (more than 5% control bytes)
CAPS/too-large.txt: skipped: file too large (limit 8 MiB)
capsuled check: 6 articles, 9 skipped, 0 warnings
WANT
sed "s|^$D/|CAPS/|" "$T_TMP/check.out" > "$T_TMP/got"
check_diff "check lists each bad file once, with its reason" "$T_TMP/want" \
    "$T_TMP/got"

# Every article that check accepted converts to clean text in every form
# (all converted first, then checked with one python start per form).
accepted() {
	for f in good.txt "name with spaces é.txt" invalid-utf8.txt \
	    huge-line.txt "$(printf 'esc\033[2Jname.txt')" \
	    "$(printf 'new\nline.txt')"; do
		for fmt in "" --gopher --gopher-text; do
			n=$((n + 1))
			mode=lf
			[ "$fmt" = --gopher ] && mode=menu
			[ "$fmt" = --gopher-text ] && mode=crlf
			"$@"
		done
	done
}
convert_one() {
	run_bounded "$BIN" convert $fmt "$D/$f" > "$T_TMP/conv.$mode.$n"
	echo $? > "$T_TMP/conv.$n.status"
}
check_one() {
	if [ "$(cat "$T_TMP/conv.$n.status")" -eq 0 ] &&
	    clean_ok "$T_TMP/clean.$mode" "$T_TMP/conv.$mode.$n" > /dev/null
	then
		pass "convert $fmt $f"
	else
		fail "convert $fmt $f"
	fi
}
n=0
accepted convert_one
for mode in lf menu crlf; do
	clean_texts "$T_TMP/clean.$mode" $mode "$T_TMP"/conv.$mode.*
done
n=0
accepted check_one
"$BIN" convert "$D/good.txt" > "$T_TMP/good"
run_test "related link to a file with spaces in its name" grep -qx \
    '=> /articles/bad-names-are-fine.gmi Bad Names Are Fine' "$T_TMP/good"
"$BIN" convert "$D/invalid-utf8.txt" > "$T_TMP/latin1"
run_test "invalid UTF-8 is read as Latin-1" grep -q \
    "^# Title\\(ÿþ\\) Latin-1  bytes" "$T_TMP/latin1"

# Skipped files: convert says why on stderr, prints nothing, exits 1.
for f in empty.txt random.txt too-large.txt link.txt fifo.txt; do
	run_bounded "$BIN" convert "$D/$f" > "$T_TMP/out.$f" 2> "$T_TMP/err.$f"
	echo $? > "$T_TMP/status.$f"
done
clean_texts "$T_TMP/clean.err" lf "$T_TMP"/err.*
for f in empty.txt random.txt too-large.txt link.txt fifo.txt; do
	status=$(cat "$T_TMP/status.$f")
	if [ "$status" -eq 1 ] && [ ! -s "$T_TMP/out.$f" ] &&
	    grep -q "skipped" "$T_TMP/err.$f" &&
	    clean_ok "$T_TMP/clean.err" "$T_TMP/err.$f"; then
		pass "convert refuses $f"
	else
		fail "convert refuses $f" "status $status"
	fi
done
run_bounded "$BIN" convert "$T_TMP/no-such-file.txt" 2> "$T_TMP/err"
run_test "convert of a missing file exits 1" [ $? -eq 1 ]
mkdir "$T_TMP/empty"
run_bounded "$BIN" check -d "$T_TMP/empty" > "$T_TMP/out" 2>&1
run_test "an empty capsule checks clean" grep -qx \
    'capsuled check: 0 articles, 0 skipped, 0 warnings' "$T_TMP/out"
run_bounded "$BIN" convert --home -d "$T_TMP/empty" > "$T_TMP/out" 2>&1
run_test "an empty capsule has a home page" grep -qx 'No articles yet.' \
    "$T_TMP/out"
run_bounded "$BIN" check -d "$T_TMP/no-such-dir" > /dev/null 2>&1
run_test "check of a missing directory exits 2" [ $? -eq 2 ]
run_bounded "$BIN" check --bogus > /dev/null 2>&1
run_test "unknown option exits 2" [ $? -eq 2 ]
run_bounded "$BIN" convert > /dev/null 2>&1
run_test "convert without FILE exits 2" [ $? -eq 2 ]
run_bounded "$BIN" --help > "$T_TMP/help"
run_test "--help exits 0 and documents convert and check" \
    grep -q "capsuled check" "$T_TMP/help"
finish

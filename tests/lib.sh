# lib.sh: helpers for the shell test scripts (source it).
#
#	run_test "name" command...    passes when the command exits 0
#	check_diff "name" want got    passes when the files are identical,
#	                              else shows `diff -u want got`
#	skip "name" "reason"          counts a check not run, and says why
#	finish                        prints "N passed, N failed" (with
#	                              ", N skipped" when some were), exits 1
#	                              if anything failed
#
# A script's last line is its tally; tests/run.sh adds them up.

T_PASSED=0
T_FAILED=0
T_SKIPPED=0

pass() {
	T_PASSED=$((T_PASSED + 1))
	[ -n "$VERBOSE" ] && echo "ok   $1"
	return 0
}

fail() {
	T_FAILED=$((T_FAILED + 1))
	echo "FAIL $1${2:+: $2}"
	return 0
}

skip() {
	T_SKIPPED=$((T_SKIPPED + 1))
	echo "skipped $1: $2"
	return 0
}

run_test() {
	_name=$1
	shift
	if "$@"; then pass "$_name"; else fail "$_name"; fi
}

check_diff() {
	if diff -u "$2" "$3" > "$T_TMP/diff.out" 2>&1; then
		pass "$1"
	else
		fail "$1"
		head -n 60 "$T_TMP/diff.out"
	fi
}

# The file is valid UTF-8 and holds no control character but LF, with
# $2 = "crlf": CR too, "menu": CR and TAB (the Gopher field separator).
clean_text() {
	python3 - "$1" "${2:-lf}" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
allowed = {"lf": {10}, "crlf": {10, 13}, "menu": {9, 10, 13}}[sys.argv[2]]
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("not UTF-8:", e); sys.exit(1)
for ch in text:
    o = ord(ch)
    if (o < 32 and o not in allowed) or 0x7f <= o <= 0x9f or \
       0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069:
        print("control character U+%04X" % o); sys.exit(1)
PY
}

finish() {
	if [ "$T_SKIPPED" -gt 0 ]; then
		echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	else
		echo "$T_PASSED passed, $T_FAILED failed"
	fi
	[ "$T_FAILED" -eq 0 ]
}

T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

# lib.sh: helpers for the shell test scripts (source it).
#
#	run_test "name" command...    passes when the command exits 0
#	check_diff "name" want got    passes when the files are identical,
#	                              else shows `diff -u want got`
#	skip "name" "reason"          counts a check not run, and says why
#	clean_text file [mode]        exits 0 when the file is clean text
#	clean_texts res mode file...  clean_text of many files at once,
#	clean_ok res file             then whether one of them is clean
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
# Prints why when it is not.
clean_text() {
	clean_texts "$T_TMP/clean_text.out" "${2:-lf}" "$1" &&
	    clean_ok "$T_TMP/clean_text.out" "$1"
}

# clean_texts RESULTS MODE FILE...: clean_text of every FILE with one
# python start (a start costs more than the check): RESULTS gets a line
# per FILE, "ok" or why it is not clean, a TAB and the file's name.
# clean_ok RESULTS FILE then says whether it is clean, and prints why
# when it is not (or was not checked).  Name files without a newline.
clean_texts() {
	_res=$1
	_mode=$2
	shift 2
	python3 - "$_mode" "$@" > "$_res" <<'PY'
import sys
allowed = {"lf": {10}, "crlf": {10, 13}, "menu": {9, 10, 13}}[sys.argv[1]]

def why(path):
    try:
        data = open(path, "rb").read()
    except OSError as e:
        return "cannot read: %s" % e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return "not UTF-8: %s" % e
    for ch in text:
        o = ord(ch)
        if (o < 32 and o not in allowed) or 0x7f <= o <= 0x9f or \
           0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069:
            return "control character U+%04X" % o
    return "ok"

for path in sys.argv[2:]:
    print("%s\t%s" % (why(path), path))
PY
}

clean_ok() {
	_why=$(F=$2 awk '{
		i = index($0, "\t")
		if (substr($0, i + 1) == ENVIRON["F"]) {
			print substr($0, 1, i - 1)
			exit
		}
	}' "$1")
	[ "$_why" = ok ] && return 0
	echo "${_why:-not checked}: $2"
	return 1
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
trap 'exit 130' INT
trap 'exit 143' TERM

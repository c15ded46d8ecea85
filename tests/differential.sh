#!/usr/bin/env bash
# Differential test: capsuled convert vs the independent Python reference
# (tests/ref/capsule_ref.py) on generated nasty capsules and on the shared
# corpus.  Builds nothing.
#
#   tests/differential.sh [PATH_TO_CAPSULED]        (default ./capsuled)
#
# Environment: SEED (1), CAPSULES (30), FILES (15), SHOW (5 diffs shown in
# full), BIG (1: add an 8 MiB and an 8 MiB + 1 byte file to one capsule),
# KEEP (1: keep the temporary directory even when everything passes).
# The last line of output is "N passed, N failed"; exit status 1 on failure.

set -u
export LC_ALL=${LC_ALL:-C}

BIN=${1:-./capsuled}
case $BIN in */*) ;; *) BIN=./$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
REF=$HERE/ref/capsule_ref.py
GEN=$HERE/ref/gen_cases.py
CORPUS=${CORPUS:-$HERE/../../shared/corpus}
SEED=${SEED:-1}
CAPSULES=${CAPSULES:-30}
FILES=${FILES:-15}
SHOW=${SHOW:-5}
BIG=${BIG:-1}

if [ ! -x "$BIN" ]; then
    echo "differential.sh: $BIN: not an executable (build it first)" >&2
    echo "0 passed, 1 failed"
    exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsuled-diff.XXXXXX")
trap 'echo "differential.sh: interrupted; files left in $TMP" >&2; exit 130' INT TERM
# run a private copy, so that a rebuild during the test cannot mix versions
cp "$BIN" "$TMP/capsuled-under-test" || {
    echo "differential.sh: cannot copy $BIN" >&2
    echo "0 passed, 1 failed"
    exit 2
}
BIN=$TMP/capsuled-under-test
pass=0
fail=0
shown=0

# show_diff LABEL INPUT EXPECTED_FILE GOT_FILE
show_diff() {
    shown=$((shown + 1))
    if [ "$shown" -le "$SHOW" ]; then
        echo "=== FAIL $1"
        echo "--- input bytes (python repr, first 2000 bytes):"
        python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(repr(d[:2000]) + (" ...(%d bytes)" % len(d) if len(d) > 2000 else ""))' "$2" 2>/dev/null ||
            echo "(input not readable from here: $2)"
        # full diff, but very long lines (multi-megabyte paragraphs) are cut
        diff -u --label "expected (reference)" --label "got (capsuled)" "$3" "$4" |
            cut -c1-4000 | head -n 400
    elif [ "$shown" -eq $((SHOW + 1)) ]; then
        echo "=== (further failures listed by name only)"
        echo "FAIL $1"
    else
        echo "FAIL $1"
    fi
}

# compare_one LABEL INPUT REF_GMI(or "") REF_SKIP_REASON(or "") CAPSULE_DIR [CWD]
# (an empty CAPSULE_DIR runs capsuled without -d, from CWD if given)
compare_one() {
    local label=$1 input=$2 refout=$3 refskip=$4 capdir=$5 cwd=${6:-.}
    local got=$TMP/got.gmi err=$TMP/got.err rc bin=$BIN
    case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
    if [ -n "$capdir" ]; then
        (cd "$cwd" && "$bin" convert -d "$capdir" "$input") >"$got" 2>"$err"
    else
        (cd "$cwd" && "$bin" convert "$input") >"$got" 2>"$err"
    fi
    rc=$?
    # a sanitizer build reports with exit status 1, like a skip: catch it
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$err"; then
        rc=134
    fi
    if [ "$rc" -ge 128 ]; then
        fail=$((fail + 1))
        : >"$TMP/empty"
        show_diff "$label (capsuled died with status $rc: $(head -c 300 "$err"))" \
            "$input" "${refout:-$TMP/empty}" "$got"
        return
    fi
    if [ -n "$refskip" ]; then
        if [ "$rc" -ne 0 ] && [ ! -s "$got" ]; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            printf '(reference skips this file: %s)\n' "$refskip" >"$TMP/skipnote"
            show_diff "$label (reference skips it: $refskip; capsuled exit $rc)" \
                "$input" "$TMP/skipnote" "$got"
        fi
        return
    fi
    if [ "$rc" -ne 0 ]; then
        fail=$((fail + 1))
        show_diff "$label (capsuled exit $rc: $(head -c 300 "$err"))" \
            "$input" "$refout" "$got"
        return
    fi
    if cmp -s "$refout" "$got"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        show_diff "$label" "$input" "$refout" "$got"
    fi
}

# batch_ok DIR REFDIR FILE...: one capsuled run converts every FILE of
# DIR (-d DIR: one catalog, as the server has it) exactly as the
# reference does: each output byte for byte, nothing for a file the
# reference skips, exit status 1 when it skips one (else 0), no
# sanitizer report.  A separator article from outside DIR stands
# before, between and after the files, so that each file's output is
# known exactly: a process per file cost most of this test's time (a
# sanitizer build's start, and the capsule read again for each file).
SEP=$TMP/separator/separator.txt
mkdir -p "${SEP%/*}"
batch_rc=
batch_want=
printf 'Differential Separator 5f0c2a9e\n\nNot an article of any capsule.\n' \
    > "$SEP"
batch_ok() {
    local cap=$1 refdir=$2 n=$(($# - 2)) base
    shift 2
    "$BIN" convert -d "$cap" "$SEP" > "$TMP/sep.out" 2> "$TMP/sep.err" ||
        return 1
    # what the reference says, with the separator's output around
    cp "$TMP/sep.out" "$TMP/batch.want"
    batch_want=0
    while [ "$n" -gt 0 ]; do
        base=${1##*/}
        base=$refdir/${base%.txt}
        if [ -f "$base.skip" ]; then
            batch_want=1
            cat "$TMP/sep.out"
        else
            cat "$base.gmi" "$TMP/sep.out"
        fi >> "$TMP/batch.want"
        set -- "$@" "$SEP" "$1"
        shift
        n=$((n - 1))
    done
    "$BIN" convert -d "$cap" "$@" "$SEP" > "$TMP/batch.got" 2> "$TMP/batch.err"
    batch_rc=$?
    [ "$batch_rc" -eq "$batch_want" ] &&
        ! grep -q -e 'Sanitizer' -e 'runtime error:' "$TMP/batch.err" &&
        cmp -s "$TMP/batch.want" "$TMP/batch.got"
}

# run_capsule DIR LABEL_PREFIX: each article of DIR against the
# reference, one check each.  When the one run of batch_ok is not
# right, each file is converted alone (compare_one) to say which and
# why; if each is right alone, the batch run itself is a failure.
run_capsule() {
    local cap=$1 prefix=$2 refdir f base fail0
    refdir=$TMP/ref/$prefix
    mkdir -p "$refdir"
    if ! python3 "$REF" batch "$cap" "$refdir"; then
        fail=$((fail + 1))
        echo "FAIL $prefix: reference crashed"
        return
    fi
    set --
    for f in "$cap"/*.txt; do
        [ -f "$f" ] && [ ! -L "$f" ] || continue
        set -- "$@" "$f"
    done
    if batch_ok "$cap" "$refdir" "$@"; then
        pass=$((pass + $#))
        return
    fi
    fail0=$fail
    for f; do
        base=${f##*/}
        base=${base%.txt}
        if [ -f "$refdir/$base.skip" ]; then
            compare_one "$prefix/${f##*/}" "$f" "" "$(cat "$refdir/$base.skip")" "$cap"
        else
            compare_one "$prefix/${f##*/}" "$f" "$refdir/$base.gmi" "" "$cap"
        fi
    done
    if [ "$fail" -eq "$fail0" ]; then
        fail=$((fail + 1))
        echo "=== FAIL $prefix: each file alone is right, but not one run" \
            "converting them all: exit $batch_rc (want $batch_want)"
        sed 's/^/stderr: /' "$TMP/batch.err" | cut -c1-300 | head -n 5
        diff -u --label "expected (reference)" --label "got (capsuled)" \
            "$TMP/batch.want" "$TMP/batch.got" | cut -c1-400 | head -n 40
    fi
}

big=
[ "$BIG" = 1 ] && big=--big
python3 "$GEN" --seed "$SEED" --capsules "$CAPSULES" --files "$FILES" $big "$TMP/cases" || {
    echo "differential.sh: generator failed" >&2
    echo "0 passed, 1 failed"
    exit 1
}

# 1. the reference against the hand-checked expected renderings
if [ -d "$CORPUS/expected" ] && [ -d "$CORPUS/articles" ]; then
    for e in "$CORPUS"/expected/*.gmi; do
        [ -f "$e" ] || continue
        name=${e##*/}
        name=${name%.gmi}.txt
        if python3 "$REF" convert "$CORPUS/articles" "$name" >"$TMP/refcorpus.gmi" 2>"$TMP/refcorpus.err" &&
            cmp -s "$TMP/refcorpus.gmi" "$e"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "=== FAIL reference vs $e"
            diff -u "$e" "$TMP/refcorpus.gmi" | head -n 60
        fi
    done
    # 2. capsuled vs the reference on the whole corpus
    run_capsule "$CORPUS/articles" corpus
fi

# 3. convert without -d: the capsule defaults to the directory of FILE, given
#    as an absolute path and as a bare name from inside the capsule
if [ -d "$TMP/cases/t_order" ]; then
    python3 "$REF" convert "$TMP/cases/t_order" 000_index.txt >"$TMP/noD.ref" 2>/dev/null
    compare_one "t_order/000_index.txt (no -d, absolute path)" \
        "$TMP/cases/t_order/000_index.txt" "$TMP/noD.ref" "" ""
    compare_one "t_order/000_index.txt (no -d, bare name)" \
        000_index.txt "$TMP/noD.ref" "" "" "$TMP/cases/t_order"
fi

# 4. capsuled vs the reference on the generated capsules
for cap in "$TMP"/cases/t_* "$TMP"/cases/c*; do
    run_capsule "$cap" "${cap##*/}"
done

if [ "$fail" -ne 0 ] || [ "${KEEP:-0}" = 1 ]; then
    echo "(generated cases and reference outputs kept in $TMP)"
else
    rm -rf "$TMP"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

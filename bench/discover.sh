#!/bin/sh
# bench/discover.sh: similar articles and search at 10,000, 100,000 and
# 200,000 articles (`make bench-discover`; BENCHMARKS.md has the
# last results).
#
#   sh bench/discover.sh                       # all sizes, ~3 minutes
#   DISCOVER_SIZES=10000 sh bench/discover.sh  # one size
#
# Needs ../shared/tools/gen-capsule (24 topics, --manifest) to make the
# capsules (in /dev/shm, kept between runs) and ../shared/corpus for the
# corpus figures; says so and skips what it cannot make.  For each size:
#   build/similarity: index build time and CPU, the RSS it adds, every
#     article's similar list (time, precision@5 against the manifest's
#     topics), the time to add one article (a delta index and its list),
#     search latency p50/p99 alone and with 2 threads searching at once;
#   bench/precision.py: precision@5 of the lists as capsuled serves them,
#     after excluding each article's related articles (corpus and 10,000
#     only: it fetches every article), and a distinctive phrase searched
#     over Gemini, alone and 4 clients at once, with the server's CPU.
#   bench/drop_to_served.py (200,000): start to first answer, one article
#     dropped in to served, and the server's own "text index N ms".

cd "$(dirname "$0")/.." || exit 2
SHARED=${SHARED:-../shared}
GEN=$SHARED/tools/gen-capsule
WORK=${DISCOVER_DIR:-/dev/shm/capsuled-discover}
SIZES=${DISCOVER_SIZES:-10000 100000 200000}

make -s capsuled build/similarity || exit 1
mkdir -p "$WORK" || exit 1

if [ -d "$SHARED/corpus/articles" ]; then
	echo "== corpus ($SHARED/corpus/articles)"
	build/similarity -q 40 "$SHARED/corpus/articles" | grep -v '^  '
	python3 bench/precision.py "$SHARED/corpus/articles"
else
	echo "== corpus: $SHARED/corpus not found, skipped"
fi

if [ ! -x "$GEN" ]; then
	echo "== generated capsules: $GEN not found, skipped"
	exit 0
fi
for n in $SIZES; do
	dir=$WORK/c$n
	if [ ! -d "$dir" ] || [ "$(ls "$dir" | wc -l)" -ne "$n" ]; then
		rm -rf "$dir" "$dir.tsv"
		"$GEN" -n "$n" --out "$dir" --manifest "$dir.tsv" -q || exit 1
	fi
	echo "== $n generated articles"
	build/similarity -q 100 "$dir" "$dir.tsv" | grep -v '^  "'
	if [ "$n" -le 10000 ]; then
		python3 bench/precision.py "$dir" "$dir.tsv"
	else
		python3 bench/precision.py --search-only "$dir" "$dir.tsv"
	fi
	if [ "$n" -ge 200000 ]; then
		python3 bench/drop_to_served.py --sizes "$n" --drops 10 \
		    --dir "$WORK"
	fi
done

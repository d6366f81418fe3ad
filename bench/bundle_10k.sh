#!/usr/bin/env bash
# bundle_10k.sh -- how long bundling and compiling 10,000 revisions takes.
#
# A benchmark to run on demand, never part of the test suite.
#
# 1. Generates N (default 10000) small revisions in one linear chain, in
#    100 subdirectories, each `CREATE TABLE t_<i> (...)` (of 3 to 9
#    columns, so that the revisions are not all alike) with an index and a
#    down section.
# 2. Times `migbundle build` ($MIGBUNDLE, else build/migbundle) and then
#    `migbundle check`, each once.
# 3. Times the compile of the generated .c with $CC (default gcc) -O2 -c,
#    and -O0 for comparison, against the installed headers of the source
#    tree.
# Prints the figures (wall seconds, peak RSS, sizes); asserts nothing.
#
# Environment: N, MIGBUNDLE, CC, KEEP=1 (keep the temporary directory and
# print its path).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}
CC=${CC:-gcc}
migbundle=${MIGBUNDLE:-$root/build/migbundle}

die() { echo "bundle_10k.sh: $*" >&2; exit 1; }
[ -x "$migbundle" ] || die "no migbundle at $migbundle (build first, or set MIGBUNDLE)"
command -v "$CC" >/dev/null || die "no compiler $CC"

tmp=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
    echo "keeping $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi
revs=$tmp/migrations

# seconds and peak RSS (KiB) of a command, via /usr/bin/time when present
measure() { # measure LABEL CMD...
    local label=$1 start end rss=""
    shift
    start=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" ||
            { cat "$tmp/err" >&2; die "$label failed"; }
        rss=$(tail -n 1 "$tmp/rss")
    else
        "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; die "$label failed"; }
    fi
    end=$(date +%s%N)
    printf '%-34s %8.2f s' "$label" "$(((end - start) / 1000000))e-3"
    [ -n "$rss" ] && printf '   peak RSS %7.1f MiB' "$((rss * 10 / 1024))e-1"
    printf '\n'
}

echo "generating $N revisions in $revs"
start=$(date +%s%N)
awk -v n="$N" -v dir="$revs" 'BEGIN {
    for (d = 0; d < 100; d++)
        system("mkdir -p " dir sprintf("/%02d", d));
    for (i = 1; i <= n; i++) {
        id = sprintf("r%06d", i);
        f = dir sprintf("/%02d/%s_table_%d.sql", (i - 1) % 100, id, i);
        print "-- create table t_" i > f;
        print "--" > f;
        print "-- Revision ID: " id > f;
        print "-- Revises: " (i > 1 ? sprintf("r%06d", i - 1) : "") > f;
        print "-- Create Date: 2026-01-01 00:00:00" > f;
        print "-- Branch Labels:" > f;
        print "-- Depends On:" > f;
        print "" > f;
        print "-- migrate:up" > f;
        print "CREATE TABLE t_" i " (" > f;
        print "    id INTEGER PRIMARY KEY," > f;
        print "    name VARCHAR(200) NOT NULL," > f;
        for (c = 0; c < i % 7; c++)
            print "    extra_" c " INTEGER," > f;
        print "    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP" > f;
        print ");" > f;
        print "CREATE INDEX ix_t_" i "_name ON t_" i " (name);" > f;
        print "" > f;
        print "-- migrate:down" > f;
        print "DROP INDEX ix_t_" i "_name;" > f;
        print "DROP TABLE t_" i ";" > f;
        close(f);
    }
}'
end=$(date +%s%N)
printf '%-34s %8.2f s   %s of revision files\n' "generate" \
    "$(((end - start) / 1000000))e-3" "$(du -sh "$revs" | cut -f1)"

measure "migbundle build" "$migbundle" build "$revs" -o "$tmp/bundle.c" \
    --depfile "$tmp/bundle.c.d"
measure "migbundle build (unchanged)" "$migbundle" build "$revs" \
    -o "$tmp/bundle.c"
measure "migbundle check" "$migbundle" check "$revs"
printf '%-34s %8s     %s lines\n' "generated C" \
    "$(du -h "$tmp/bundle.c" | cut -f1)" "$(wc -l <"$tmp/bundle.c")"

inc=$root/runtime/include
measure "$CC -O2 -c" "$CC" -std=c11 -O2 -I "$inc" -c "$tmp/bundle.c" \
    -o "$tmp/bundle_O2.o"
measure "$CC -O0 -c" "$CC" -std=c11 -O0 -I "$inc" -c "$tmp/bundle.c" \
    -o "$tmp/bundle_O0.o"
printf '%-34s %8s\n' "object (-O2)" "$(du -h "$tmp/bundle_O2.o" | cut -f1)"

#!/usr/bin/env bash
# noop_sqlite.sh -- what `app-migrate up` costs at head on SQLite.
#
# A benchmark to run on demand, never part of the test suite.
#
# 1. Generates N (default 1000) tiny linear revisions, each
#    `CREATE TABLE t_<i> (id INTEGER)` / `DROP TABLE t_<i>`.
# 2. Bundles them with `migbundle build` ($MIGBUNDLE, else build/migbundle)
#    and compiles the generated C against the runtime installed from the
#    build tree ($MIGBUNDLE_BUILD_DIR, else build/) into a temporary prefix,
#    through a tiny CMake consumer project.
# 3. Runs `app-migrate up` once to apply all N, then measures the no-op
#    `app-migrate up` at head against a floor: the sqlite3 CLI reading the
#    version table (`SELECT revision, checksum FROM migbundle_version;`) on a
#    copy of the same database. Mean wall time with hyperfine when it is
#    installed, else a loop of $RUNS (default 200) runs timed with date +%s%N;
#    peak RSS from /usr/bin/time -v.
#
# Build first with scripts/sample.sh (a Release build in build/).
# Environment: N, RUNS, MIGBUNDLE, MIGBUNDLE_BUILD_DIR, KEEP=1 (keep the
# temporary directory and print its path).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-1000}
RUNS=${RUNS:-200}
build=${MIGBUNDLE_BUILD_DIR:-$root/build}
migbundle=${MIGBUNDLE:-$build/migbundle}

die() { echo "noop_sqlite.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[ -x "$migbundle" ] ||
    die "no bundler at $migbundle (run scripts/sample.sh first, or set MIGBUNDLE)"
[ -f "$build/CMakeCache.txt" ] ||
    die "no build tree at $build (run scripts/sample.sh first, or set MIGBUNDLE_BUILD_DIR)"
for tool in sqlite3 cmake; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
[ "$build_type" = Release ] ||
    echo "noop_sqlite.sh: warning: $build is a '${build_type:-default}' build, not Release" >&2

tmp=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
    trap 'echo "kept $tmp" >&2' EXIT
else
    trap 'rm -rf "$tmp"' EXIT
fi

# --- 1. N linear revisions ------------------------------------------------
say "generating $N revisions"
mkdir -p "$tmp/migrations"
# printf format: number, id, " parent" (empty for the base), number, number
rev_format='-- create t_%d
--
-- Revision ID: %s
-- Revises:%s
-- Create Date: 2026-01-01 00:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE t_%d (id INTEGER);

-- migrate:down
DROP TABLE t_%d;
'
prev=
for ((i = 1; i <= N; i++)); do
    printf -v id 'r%05d' "$i"
    printf -- "$rev_format" "$i" "$id" "${prev:+ $prev}" "$i" "$i" \
        >"$tmp/migrations/${id}_t_$i.sql"
    prev=$id
done

# --- 2. bundle and compile ------------------------------------------------
say "bundling with $migbundle"
mkdir -p "$tmp/gen"
t0=$(date +%s%N)
"$migbundle" build "$tmp/migrations" -o "$tmp/gen/app_bundle.c" \
    --name app-migrate --default-db sqlite:bench.db
t1=$(date +%s%N)
bundle_ms=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", ns / 1e6 }')

say "installing $build into a temporary prefix"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null

mkdir -p "$tmp/consumer"
cat >"$tmp/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(bench_noop LANGUAGES C)
find_package(migbundle REQUIRED)
add_executable(app-migrate ${BUNDLE_C})
target_link_libraries(app-migrate PRIVATE migbundle::main migbundle::runtime)
CMAKE
say "compiling the bundle"
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$tmp/prefix" -DBUNDLE_C="$tmp/gen/app_bundle.c" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
mkdir -p "$tmp/run"
cp "$tmp/consumer/build/app-migrate" "$tmp/run/app-migrate"
cd "$tmp/run"

# --- 3. apply all, then measure the no-op ----------------------------------
app=(./app-migrate -d sqlite:bench.db up)
floor=(sqlite3 floor.db 'SELECT revision, checksum FROM migbundle_version;')

say "applying $N revisions"
"${app[@]}" >/dev/null 2>app-up.log || { cat app-up.log >&2; die "app-migrate up failed"; }
sqlite3 bench.db ".backup floor.db"
rows=$(sqlite3 floor.db 'SELECT count(*) FROM migbundle_version;')
[ "$rows" = "$N" ] || die "migbundle_version has $rows rows, expected $N"
"${app[@]}" >/dev/null 2>app-noop.log ||
    { cat app-noop.log >&2; die "no-op app-migrate up failed"; }

if command -v hyperfine >/dev/null; then
    method="hyperfine, $RUNS runs each"
    say "timing with hyperfine ($RUNS runs each)"
    hyperfine -N --style basic --warmup 10 --runs "$RUNS" \
        --export-csv times.csv \
        -n app "./app-migrate -d sqlite:bench.db up" \
        -n floor "sqlite3 floor.db 'SELECT revision, checksum FROM migbundle_version;'" \
        >&2
    # CSV: command,mean,stddev,median,user,system,min,max (seconds)
    app_ms=$(awk -F, '$1 == "app" { printf "%.3f", $2 * 1000 }' times.csv)
    floor_ms=$(awk -F, '$1 == "floor" { printf "%.3f", $2 * 1000 }' times.csv)
else
    method="loop of $RUNS runs each, date +%s%N"
    say "timing with a loop ($RUNS runs each; install hyperfine for better numbers)"
    mean_ms() {
        local i t0 t1
        for ((i = 0; i < 10; i++)); do "$@" >/dev/null 2>&1; done   # warm-up
        t0=$(date +%s%N)
        for ((i = 0; i < RUNS; i++)); do
            "$@" >/dev/null 2>&1 || die "failed: $*"
        done
        t1=$(date +%s%N)
        awk -v ns=$((t1 - t0)) -v n="$RUNS" 'BEGIN { printf "%.3f", ns / n / 1e6 }'
    }
    app_ms=$(mean_ms "${app[@]}")
    floor_ms=$(mean_ms "${floor[@]}")
fi

# Peak RSS in KiB: the largest of 5 runs.
peak_kib() {
    local i v max=0
    for ((i = 0; i < 5; i++)); do
        /usr/bin/time -v -o rss.txt "$@" >/dev/null 2>&1 || die "failed: $*"
        v=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' rss.txt)
        [ "$v" -gt "$max" ] && max=$v
    done
    echo "$max"
}
say "measuring peak RSS"
app_kib=$(peak_kib "${app[@]}")
floor_kib=$(peak_kib "${floor[@]}")

# --- report ----------------------------------------------------------------
awk -v n="$N" -v method="$method" -v bms="$bundle_ms" \
    -v am="$app_ms" -v fm="$floor_ms" -v ak="$app_kib" -v fk="$floor_kib" '
function yn(ok) { return ok ? "yes" : "NO" }
BEGIN {
    ratio = am / fm
    amib = ak / 1024; fmib = fk / 1024
    printf "\nno-op `app-migrate up` at head, SQLite, %d applied revisions\n", n
    printf "timing: %s; peak RSS: max of 5 runs of /usr/bin/time -v\n", method
    printf "bundling %d revisions (migbundle build): %s ms\n\n", n, bms
    printf "%-36s %12s %16s\n", "", "mean (ms)", "peak RSS (MiB)"
    printf "%-36s %12.3f %16.1f\n", "app-migrate up (no-op)", am, amib
    printf "%-36s %12.3f %16.1f\n", "sqlite3 SELECT version table (floor)", fm, fmib
    printf "\n%-24s %10s %10s %6s\n", "", "measured", "target", "met"
    printf "%-24s %10.2f %10s %6s\n", "time ratio app/sqlite3", ratio, "<= 1.00", yn(ratio <= 1.0)
    printf "%-24s %10.1f %10s %6s\n", "app peak RSS (MiB)", amib, "<= 6.0", yn(amib <= 6.0)
}'

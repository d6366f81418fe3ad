# lib.sh -- shared parts of the benchmarks (sourced, not run).
#
#   bench_setup NAME        checks the build tree, makes $tmp (removed on
#                           exit unless KEEP=1)
#   bench_revisions DIR N   N tiny linear revisions (CREATE/DROP TABLE t_i)
#   bench_app DIR OUT       bundle DIR with migbundle_add_executable(), in
#                           a CMake consumer project against the installed
#                           build tree, into the executable OUT (static
#                           when the build tree has MIGBUNDLE_STATIC)
#   bench_sections KIND DIR [COUNT]  the KIND (up, down) sections of the
#                           revisions in DIR, in order, or of the last
#                           COUNT, newest first: the floor's SQL
#   bench_linkage EXE       "static" or "dynamic, N shared objects"
#   bench_mean_ms NAME CMD  mean wall time in ms over $RUNS runs (hyperfine
#                           when installed, else a timed loop)
#   bench_mean_fresh SETUP CMD  mean wall time in ms over $FRESH runs, each
#                           after the untimed shell command SETUP (which
#                           makes a fresh database)
#   bench_peak_kib CMD      the largest peak RSS of 5 runs, in KiB
#
# Environment: N (1000), RUNS (200), FRESH (10), MIGBUNDLE_BUILD_DIR (build/),
# MIGBUNDLE (its migbundle), KEEP=1.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-1000}
RUNS=${RUNS:-200}
FRESH=${FRESH:-10}
build=${MIGBUNDLE_BUILD_DIR:-$root/build}
migbundle=${MIGBUNDLE:-$build/migbundle}

die() { echo "$bench_name: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

bench_setup() {
    bench_name=$1
    [ -x "$migbundle" ] ||
        die "no bundler at $migbundle (run scripts/sample.sh first, or set MIGBUNDLE)"
    [ -f "$build/CMakeCache.txt" ] ||
        die "no build tree at $build (run scripts/sample.sh first, or set MIGBUNDLE_BUILD_DIR)"
    [ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
    local type
    type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
    [ "$type" = Release ] ||
        echo "$bench_name: warning: $build is a '${type:-default}' build, not Release" >&2
    tmp=$(mktemp -d)
    if [ "${KEEP:-0}" = 1 ]; then
        trap 'echo "kept $tmp" >&2' EXIT
    else
        trap 'bench_cleanup; rm -rf "$tmp"' EXIT
    fi
}

# Overridden by a benchmark that starts something to stop.
bench_cleanup() { :; }

bench_revisions() {
    local dir=$1 n=$2 i id prev=
    mkdir -p "$dir"
    for ((i = 1; i <= n; i++)); do
        printf -v id 'r%05d' "$i"
        printf -- '-- create t_%d\n--\n-- Revision ID: %s\n-- Revises:%s\n-- Create Date: 2026-01-01 00:00:00\n-- Branch Labels:\n-- Depends On:\n\n-- migrate:up\nCREATE TABLE t_%d (id INTEGER);\n\n-- migrate:down\nDROP TABLE t_%d;\n' \
            "$i" "$id" "${prev:+ $prev}" "$i" "$i" >"$dir/${id}_t_$i.sql"
        prev=$id
    done
}

bench_app() {
    local dir=$1 out=$2
    mkdir -p "$tmp/consumer"
    [ -d "$tmp/prefix" ] || cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
    # what an application gets: static when migbundle has the static runtime
    cat >"$tmp/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(bench_app LANGUAGES C)
find_package(migbundle REQUIRED)
migbundle_add_executable(app-migrate MIGRATIONS ${REVISIONS})
CMAKE
    cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$tmp/prefix" -DREVISIONS="$dir" >/dev/null
    cmake --build "$tmp/consumer/build" >/dev/null 2>&1 ||
        die "could not build the benchmark's app-migrate"
    cp "$tmp/consumer/build/app-migrate" "$out"
}

# bench_sections KIND DIR [COUNT]: see the header.
bench_sections() {
    local kind=$1 dir=$2 f files
    if [ $# -gt 2 ]; then
        files=$(ls "$dir"/*.sql | sort -r | sed -n "1,${3}p")
    else
        files=$(ls "$dir"/*.sql)
    fi
    for f in $files; do
        sed -n "/^-- migrate:$kind/,/^-- migrate:/p" "$f" | sed '/^-- migrate:/d'
    done
}

# How the executable is linked, e.g. "static" or "dynamic, 29 objects".
bench_linkage() {
    if ldd "$1" >/dev/null 2>&1; then
        echo "dynamic, $(ldd "$1" | wc -l) shared objects"
    else
        echo "static"
    fi
}

# bench_mean_ms NAME CMD...: prints the mean in ms
bench_mean_ms() {
    local name=$1 i t0 t1
    shift
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 5 --runs "$RUNS" \
            --export-csv "$tmp/$name.csv" -n "$name" "$(printf '%q ' "$@")" >&2
        awk -F, 'NR == 2 { printf "%.3f", $2 * 1000 }' "$tmp/$name.csv"
        return
    fi
    for ((i = 0; i < 5; i++)); do "$@" >/dev/null 2>&1; done
    t0=$(date +%s%N)
    for ((i = 0; i < RUNS; i++)); do "$@" >/dev/null 2>&1 || die "failed: $*"; done
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) -v n="$RUNS" 'BEGIN { printf "%.3f", ns / n / 1e6 }'
}

bench_mean_fresh() {
    local setup=$1 i t0 t1 total=0
    shift
    for ((i = 0; i < FRESH; i++)); do
        eval "$setup"
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || die "failed: $*"
        t1=$(date +%s%N)
        total=$((total + t1 - t0))
    done
    awk -v ns="$total" -v n="$FRESH" 'BEGIN { printf "%.1f", ns / n / 1e6 }'
}

bench_method() {
    if command -v hyperfine >/dev/null; then
        echo "hyperfine, $RUNS runs each"
    else
        echo "loop of $RUNS runs each, date +%s%N (install hyperfine for better numbers)"
    fi
}

bench_peak_kib() {
    local i v max=0
    for ((i = 0; i < 5; i++)); do
        /usr/bin/time -v -o "$tmp/rss.txt" "$@" >/dev/null 2>&1 || die "failed: $*"
        v=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$tmp/rss.txt")
        [ "$v" -gt "$max" ] && max=$v
    done
    echo "$max"
}

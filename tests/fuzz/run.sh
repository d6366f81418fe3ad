#!/usr/bin/env bash
# run.sh -- build and run the libFuzzer harnesses of tests/fuzz/.
#
#   tests/fuzz/run.sh [--seconds N | --runs N] [--out DIR] [NAME...]
#   tests/fuzz/run.sh --build-only [--out DIR] [NAME...]
#   tests/fuzz/run.sh --replay [--out DIR] [NAME...]
#
# NAME is a harness, tests/fuzz/fuzz_NAME.c (all of them when none is
# given):
#   sqlsplit  mb_sql_split(): statements in order, inside the text, each a
#             statement on its own; errors at an existing line
#   revfile   mb_revfile_parse(): the parsed revision's invariants, the
#             canonical text parsed again gives the same revision; errors
#             name FILE:LINE with a message and a hint
#   target    mb_target_resolve(), mb_graph_lookup(), mb_plan_make() on a
#             fixed graph, any applied set, any target text
#   bundle    mb_bundle_selfcheck() (both depths), mb_graph_build() and
#             what runs before a section's SQL, on mutated bundles: every
#             change to a checksummed field is reported, nothing reads out
#             of bounds
#   url       mb_url_redact() never prints a password (libpq's URI and
#             key=value forms), mb_backend_for_url() on any text
#   split_pg  mb_sql_split() against libpg_query's statement splitter
#             (PostgreSQL's own lexer)
# Each harness's header comment says exactly what it checks, and names the
# source files it is linked with ("fuzz-sources:": runtime/ files, and
# bundler/revfile.c for the revision-file parser), the libraries
# ("fuzz-libs:"), more seed directories ("fuzz-seeds:", in tests/fuzz/),
# its dictionary ("fuzz-dict:", in tests/fuzz/; default NAME.dict) and
# libFuzzer options ("fuzz-options:"), which this script reads.
#
# Binaries go to DIR (default: a temporary directory, removed afterwards
# unless something crashed), built with clang, -fsanitize=fuzzer,address,
# undefined, straight from those sources; they are rebuilt only
# when a source is newer. Each harness runs on DIR/corpus/NAME, a copy of
# the seeds (tests/fuzz/corpus/NAME, plus the directories named by a
# "fuzz-seeds:" line) and of the inputs that once failed
# (tests/fuzz/regress/NAME); new inputs it finds stay there for the next
# run with the same DIR.
#
# --seconds N   fuzz each harness for N seconds (default 60)
# --runs N      fuzz each harness for N executions instead
# --build-only  only build the harnesses
# --replay      run every seed and regression input once, no fuzzing
#
# Per harness it prints the executions, exec/s, time and corpus size from
# libFuzzer's final statistics. It exits 1 when a harness crashes, leaks,
# times out (10 s for one input) or runs out of memory, and keeps the
# input: DIR/artifacts/NAME/crash-... (or leak-, timeout-, oom-). To turn
# one into a regression test, copy it to tests/fuzz/regress/NAME/, then
# fix the bug: ctest (fuzz.regress) replays that directory.
#
# Environment: CLANG (default clang), FUZZ_FLAGS (extra libFuzzer options,
# e.g. "-jobs=2 -workers=2"; mind that the 2-core CI machine runs ctest -j2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
clang=${CLANG:-clang}
mode=fuzz
seconds=60
runs=
out=

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --seconds) seconds=${2:?--seconds needs a value}; runs=; shift 2 ;;
    --runs) runs=${2:?--runs needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --build-only) mode=build; shift ;;
    --replay) mode=replay; shift ;;
    -h | --help) usage ;;
    -*) echo "run.sh: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in "$here"/fuzz_*.c; do
        n=${f##*/fuzz_}
        names+=("${n%.c}")
    done
fi
for n in "${names[@]}"; do
    [ -f "$here/fuzz_$n.c" ] || { echo "run.sh: no harness $n" >&2; exit 2; }
done

keep=1
if [ -z "$out" ]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/mbfuzz.XXXXXX")
    keep=0
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
failed=0
cleanup() {
    if [ "$keep" = 0 ] && [ "$failed" = 0 ]; then
        rm -rf "$out"
    fi
}
trap cleanup EXIT

# The value of a "NAME: ..." line in the harness's header comment.
header() {
    sed -n "s/^ \* $2: //p" "$here/fuzz_$1.c" | tr '\n' ' '
}

build() {
    local n=$1 bin=$out/fuzz_$1 src srcs=() libs newer
    read -r -a srcs <<<"$(header "$n" fuzz-sources)"
    read -r -a libs <<<"$(header "$n" fuzz-libs)"
    if [ -x "$bin" ]; then
        newer=$(cd "$top" && find "tests/fuzz/fuzz_$n.c" "${srcs[@]}" \
            runtime/include bundler/*.h tests/fuzz/*.h -newer "$bin" \
            -print -quit 2>/dev/null)
        [ -z "$newer" ] && return 0
    fi
    echo "run.sh: building fuzz_$n" >&2
    (cd "$top" &&
        "$clang" -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra \
            -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
            -fsanitize=fuzzer,address,undefined \
            -fno-sanitize-recover=undefined -Iruntime/include -Ibundler \
            "tests/fuzz/fuzz_$n.c" "${srcs[@]}" "${libs[@]}" -o "$bin.tmp")
    mv "$bin.tmp" "$bin"
}

# Print libFuzzer's final statistics of log $2 as one line.
summary() {
    local n=$1 log=$2 execs rate secs corpus
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" |
        tail -1)
    corpus=$(find "$out/corpus/$n" -type f | wc -l)
    printf 'fuzz_%s: %s executions in %s s, %s exec/s, corpus %s files\n' \
        "$n" "${execs:-?}" "${secs:-?}" "${rate:-?}" "$corpus"
}

# The seed directories of harness $1: its own and those it names.
seed_dirs() {
    local d
    for d in "corpus/$1" $(header "$1" fuzz-seeds) "regress/$1"; do
        [ -d "$here/$d" ] && echo "$here/$d"
    done
    return 0
}

run_one() {
    local n=$1 bin=$out/fuzz_$1 log=$out/fuzz_$1.log dirs=() opts=() more
    local d dict
    mapfile -t dirs < <(seed_dirs "$n")
    opts=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048
        "-artifact_prefix=$out/artifacts/$n/")
    dict=$(header "$n" fuzz-dict)
    dict=${dict:-$n.dict}
    dict=${dict%% }
    [ -f "$here/$dict" ] && opts+=("-dict=$here/$dict")
    read -r -a more <<<"$(header "$n" fuzz-options)"
    opts+=("${more[@]}")
    mkdir -p "$out/artifacts/$n" "$out/corpus/$n"
    if [ "$mode" = replay ]; then
        # -runs=0: run what is in the directories once, find nothing new
        "$bin" "${opts[@]}" -runs=0 "${dirs[@]}" >"$log" 2>&1 || {
            failed=1
            tail -n 40 "$log" >&2
            echo "run.sh: fuzz_$n failed on a seed or regression input;" \
                "log: $log" >&2
            return 0
        }
        printf 'fuzz_%s: %s inputs replayed\n' "$n" \
            "$(find "${dirs[@]}" -type f | wc -l)"
        return 0
    fi
    for d in "${dirs[@]}"; do
        cp -pR "$d"/. "$out/corpus/$n/"
    done
    if [ -n "$runs" ]; then
        opts+=("-runs=$runs")
    else
        opts+=("-max_total_time=$seconds")
    fi
    # shellcheck disable=SC2086
    if ! "$bin" "${opts[@]}" ${FUZZ_FLAGS:-} "$out/corpus/$n" >"$log" 2>&1
    then
        failed=1
        tail -n 40 "$log" >&2
        echo "run.sh: fuzz_$n failed; the input is kept:" >&2
        sed -n 's/.*Test unit written to //p' "$log" >&2
    fi
    summary "$n" "$log"
}

for n in "${names[@]}"; do
    build "$n"
done
if [ "$mode" != build ]; then
    for n in "${names[@]}"; do
        run_one "$n"
    done
fi
if [ "$failed" != 0 ]; then
    echo "run.sh: a harness failed; everything is in $out" >&2
    exit 1
fi

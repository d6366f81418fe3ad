#!/usr/bin/env bash
# bundler_lint_faults.sh -- `migbundle check` (parse, syntax, lint) with
# each of its allocations failing in turn (MB_FAULT=alloc:N:fail, test
# builds only): every run either ends as a run without the fault does, or
# exits 1 with "out of memory"; never a crash. One run in ten goes under
# valgrind: no invalid access, no leak, also on those paths.
. "$(dirname "$0")/lib.sh"

tree=$MB_TEST_DIR/lint/constraint-missing-not-valid/revisions
# (a fragment: --no-sqlite, no replay; bundler_stairway_faults.sh walks it)
if ! MB_FAULT_TRACE="$T/probe" "$MIGBUNDLE" check --no-sqlite "$tree" >/dev/null 2>&1 ||
   [ ! -s "$T/probe" ]; then
    echo "skipped: migbundle was built without MIGBUNDLE_FAULT_INJECTION"
    exit 77
fi
have_vg=0
command -v valgrind >/dev/null && case "${MB_CFLAGS:-}" in
    *sanitize*) ;; *) have_vg=1 ;; esac

run "$MIGBUNDLE" check --no-sqlite "$tree"
expect_status 0
cp "$ERR" "$T/clean"
grep -q "constraint-missing-not-valid" "$T/clean" || fail "no finding"
n=1
while :; do
    [ "$n" -le 5000 ] || fail "the allocations never ran out"
    cmd=("$MIGBUNDLE" check --no-sqlite "$tree")
    if [ $have_vg = 1 ] && [ $((n % 10)) = 0 ]; then
        cmd=(valgrind -q --error-exitcode=99 --leak-check=full
             --errors-for-leak-kinds=definite,indirect "${cmd[@]}")
    fi
    MB_FAULT=alloc:$n:fail run "${cmd[@]}"
    [ "$STATUS" != 99 ] || fail "valgrind found errors with alloc:$n"
    if [ "$STATUS" = 0 ] && cmp -s "$ERR" "$T/clean"; then
        break # the n-th allocation is past the last one
    fi
    [ "$STATUS" = 1 ] || fail "alloc:$n: exit status $STATUS"
    [ "$(tail -n 1 "$ERR")" = "migbundle: error: out of memory" ] ||
        fail "alloc:$n: not an out-of-memory error"
    n=$((n + 1))
done
echo "ok: $((n - 1)) allocations, each failed once"

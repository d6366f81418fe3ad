#!/usr/bin/env bash
# bundler_stairway_faults.sh -- `migbundle check`'s stairway on SQLite
# with allocations failing (MB_FAULT=alloc:N:fail, test builds only;
# SQLite's own allocator included): every one of the first 300, then
# every ninth (a run makes some 4000). Each run either ends as the run
# without the fault does (SQLite gets by without some allocations), or
# exits 1 saying "out of memory"; never a crash, never a difference in
# the schema that is not there. One run in forty goes under valgrind: no
# invalid access, no leak.
. "$(dirname "$0")/lib.sh"

revision a1 "" "base" "CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT);
CREATE INDEX ix_t_c ON t (c);" "DROP TABLE t;"
revision b2 a1 "forgets" "ALTER TABLE t ADD COLUMN role TEXT DEFAULT 'x';
CREATE VIEW v AS SELECT id, role FROM t;" "DROP VIEW v;"
MB_FAULT_TRACE="$T/probe" "$MIGBUNDLE" check "$T/revs" >/dev/null 2>&1 || :
if [ ! -s "$T/probe" ]; then
    echo "skipped: migbundle was built without MIGBUNDLE_FAULT_INJECTION"
    exit 77
fi
have_vg=0
command -v valgrind >/dev/null && case "${MB_CFLAGS:-}" in
    *sanitize*) ;; *) have_vg=1 ;; esac

# the clean run: b2's down leaves role behind
run "$MIGBUNDLE" check "$T/revs"
expect_status 1
expect_err "migbundle: detail: column t.role: left behind: TEXT DEFAULT 'x'"
cp "$ERR" "$T/clean"
total=$(grep -c '^alloc' "$T/probe")
[ "$total" -gt 300 ] || fail "only $total allocations traced"
n=1 runs=0
while [ "$n" -le "$total" ]; do
    cmd=("$MIGBUNDLE" check "$T/revs")
    runs=$((runs + 1))
    if [ $have_vg = 1 ] && [ $((runs % 40)) = 0 ]; then
        cmd=(valgrind -q --error-exitcode=99 --leak-check=full
             --errors-for-leak-kinds=definite,indirect "${cmd[@]}")
    fi
    MB_FAULT=alloc:$n:fail run "${cmd[@]}"
    [ "$STATUS" != 99 ] || fail "valgrind found errors with alloc:$n"
    [ "$STATUS" = 1 ] || fail "alloc:$n: exit status $STATUS"
    cmp -s "$ERR" "$T/clean" || grep -q "out of memory" "$ERR" ||
        fail "alloc:$n: neither the clean run's report nor out of memory"
    if [ "$n" -lt 300 ]; then n=$((n + 1)); else n=$((n + 9)); fi
done
echo "ok: $runs of $total allocations failed, one at a time"

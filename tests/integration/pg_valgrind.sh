#!/usr/bin/env bash
# pg_valgrind.sh -- app-migrate's PostgreSQL paths under valgrind's
# memcheck: no invalid access, no definite or indirect leak. Skipped in
# sanitizer builds (ASan watches there and valgrind cannot run).
. "$(dirname "$0")/../cli/lib.sh"

case "$MB_CFLAGS" in *sanitize*) echo "skipped: sanitizer build"; exit 0;; esac
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps.sh installs it)"
vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
db=$(new_db vg)
# valgrind cannot follow a static glibc's malloc: the sample, dynamically
make_app "$MB_SOURCE_DIR/samples/migrations" "$T/app-migrate"
for args in "up" "current --format json" "verify --format json" "down -2" \
            "up zzz" "--single-transaction up" "down base" "up" \
            "--lock-timeout 1 up +1"; do
    # shellcheck disable=SC2086
    run vg "$T/app-migrate" -d "$db" $args
    [ "$STATUS" != 99 ] || fail "valgrind found errors in: $args"
done
# a failing section and a refused connection
revision a1 "" "fails" "SELECT * FROM no_such_table;"
make_app "$T/revs" "$T/app"
run vg "$T/app" -d "$(new_db vgfail)" up
[ "$STATUS" = 1 ] || fail "valgrind: the failing revision (status $STATUS)"
run vg "$T/app" -d "postgresql:///x?host=$T/nowhere" up
[ "$STATUS" = 1 ] || fail "valgrind: the refused connection (status $STATUS)"
# migbundle check's stairway on PostgreSQL: the sample, a down that does
# not restore the schema, a database that is not empty, no server
run vg "$MIGBUNDLE" check "$MB_SOURCE_DIR/samples/migrations" --db "$(new_db vgstair)"
[ "$STATUS" = 0 ] || fail "valgrind: check --db (status $STATUS)"
rm -rf "$T/revs"
revision a1 "" "base" "CREATE TABLE t (c integer);" "DROP TABLE t;"
revision b2 a1 "forgets" "CREATE INDEX ix ON t (c);" "SELECT 1;"
run vg "$MIGBUNDLE" check "$T/revs" --db "$db"
[ "$STATUS" = 2 ] || fail "valgrind: check --db of a database in use (status $STATUS)"
run vg "$MIGBUNDLE" check "$T/revs" --db "$(new_db vgstair2)"
[ "$STATUS" = 1 ] || fail "valgrind: check --db, a bad down (status $STATUS)"
run vg "$MIGBUNDLE" check "$T/revs" --db "postgresql:///x?host=$T/nowhere"
[ "$STATUS" = 2 ] || fail "valgrind: check --db, no server (status $STATUS)"
echo "ok"

#!/usr/bin/env bash
# runtime_failure.sh -- a failing statement in revision 2 of 3: exit 1,
# FILE:LINE of the statement, revision 1 kept, revision 2 rolled back
# whole, a `failed` row in the log; fixing the file lets the next run on.
. "$(dirname "$0")/lib.sh"

revision r1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
revision r2 r1 "two" "CREATE TABLE t2 (id INTEGER);
INSERT INTO t2 VALUES (1);
INSERT INTO t2
  SELECT id FROM
  no_such_table;" "DROP TABLE t2;"
revision r3 r2 "three" "CREATE TABLE t3 (id INTEGER);" "DROP TABLE t3;"
make_app "$T/revs" "$T/app"
db="sqlite:$T/app.db"

run "$T/app" -d "$db" up
expect_status 1
# the failing statement starts on line 10 of r2_x.sql
expect_err "app: error: r2_x.sql:10: revision r2 failed: no such table: no_such_table"
expect_err "statement: INSERT INTO t2 ..."
[ "$(sqlite3 "$T/app.db" "SELECT group_concat(revision) FROM migbundle_version")" = r1 ] ||
    fail "the version table should hold r1 only"
[ "$(sqlite3 "$T/app.db" "SELECT count(*) FROM sqlite_master WHERE name IN ('t2', 't3')")" = 0 ] ||
    fail "revision 2 was not rolled back whole"
[ "$(sqlite3 "$T/app.db" "SELECT outcome FROM migbundle_log WHERE revision = 'r2'")" = failed ] ||
    fail "no failed log row for r2"
sqlite3 "$T/app.db" "SELECT error FROM migbundle_log WHERE revision = 'r2'" | grep -qF "r2_x.sql:10" ||
    fail "the log row does not name the file and line"
run "$T/app" -d "$db" current
[ "$(cat "$OUT")" = "r1" ] || fail "current after the failure: $(cat "$OUT")"

# a failing first revision still leaves an auditable log
run "$T/app" -d "sqlite:$T/other.db" up r1
expect_status 0

# syntax errors are reported at the statement too
revision r2 r1 "two" "CREATE TABLE t2 (id INTEGER);

SELECT 1
  FROM t2
  WHERE WHERE;" "DROP TABLE t2;"
make_app "$T/revs" "$T/app2"
run "$T/app2" -d "sqlite:$T/fresh.db" up
expect_status 1
expect_err 'r2_x.sql:10: revision r2 failed: near "WHERE": syntax error (error near line 12)'

# with the file fixed, the next run applies r2 and r3
revision r2 r1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
make_app "$T/revs" "$T/app3"
run "$T/app3" -d "$db" up
expect_status 0
[ "$(sqlite3 "$T/app.db" "SELECT count(*) FROM migbundle_version")" = 3 ] ||
    fail "the fixed bundle did not apply r2 and r3"

# a failing down rolls back too
revision r3 r2 "three" "CREATE TABLE t3 (id INTEGER);" "DROP TABLE no_such;"
make_app "$T/revs" "$T/app4"
run "$T/app4" -d "sqlite:$T/d.db" up
expect_status 0
run "$T/app4" -d "sqlite:$T/d.db" down -1
expect_status 1
expect_err "r3_x.sql:11: revision r3 failed: no such table: no_such"
[ "$(sqlite3 "$T/d.db" "SELECT count(*) FROM migbundle_version")" = 3 ] ||
    fail "a failed down removed the version row"
echo "ok"

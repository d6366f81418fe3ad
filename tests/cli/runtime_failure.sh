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
db=$(new_db app)
pg() { [ "$MB_TEST_BACKEND" = postgres ]; }

run "$T/app" -d "$db" up
expect_status 1
# the failing statement starts on line 10 of r2_x.sql
if pg; then
    expect_err 'app: error: r2_x.sql:10: revision r2 failed: relation "no_such_table" does not exist (error near line 12)'
    expect_err "app: detail: SQLSTATE 42P01"
else
    expect_err "app: error: r2_x.sql:10: revision r2 failed: no such table: no_such_table"
fi
expect_err "statement: INSERT INTO t2 ..."
[ "$(sql "$db" "SELECT revision FROM migbundle_version")" = r1 ] ||
    fail "the version table should hold r1 only"
! sql "$db" "SELECT 1 FROM t2" >/dev/null 2>&1 || fail "revision 2 was not rolled back whole"
! sql "$db" "SELECT 1 FROM t3" >/dev/null 2>&1 || fail "revision 3 ran"
if pg; then
    [ "$(sql "$db" "SELECT count(*) FROM pg_catalog.pg_class WHERE relname IN ('t2', 't3')")" = 0 ] ||
        fail "revision 2 was not rolled back whole"
else
    [ "$(sql "$db" "SELECT count(*) FROM sqlite_master WHERE name IN ('t2', 't3')")" = 0 ] ||
        fail "revision 2 was not rolled back whole"
fi
[ "$(sql "$db" "SELECT outcome FROM migbundle_log WHERE revision = 'r2'")" = failed ] ||
    fail "no failed log row for r2"
sql "$db" "SELECT error FROM migbundle_log WHERE revision = 'r2'" | grep -qF "r2_x.sql:10" ||
    fail "the log row does not name the file and line"
run "$T/app" -d "$db" current
[ "$(cat "$OUT")" = "r1" ] || fail "current after the failure: $(cat "$OUT")"

# another database can still be taken up to the revision before the failure
run "$T/app" -d "$(new_db other)" up r1
expect_status 0

# a failing first revision on a new database still leaves an auditable log
mkdir -p "$T/first"
printf -- '-- broken\n--\n-- Revision ID: f1\n-- Revises:\n\n-- migrate:up\nCREATE TABLE f (id INTEGER);\nSELECT * FROM no_such_table;\n' \
    >"$T/first/f1.sql"
make_app "$T/first" "$T/app.first"
first=$(new_db first)
run "$T/app.first" -d "$first" up
expect_status 1
expect_err "f1.sql:8: revision f1 failed"
[ "$(sql "$first" "SELECT count(*) FROM migbundle_version")" = 0 ] ||
    fail "a failed first revision was recorded"
[ "$(sql "$first" "SELECT revision || ':' || direction || ':' || outcome FROM migbundle_log")" = "f1:up:failed" ] ||
    fail "expected one failed log row"
! sql "$first" "SELECT 1 FROM f" >/dev/null 2>&1 || fail "the failed revision left its table"

# errors inside a statement are reported at the statement too, with the
# line the database names (a syntax error would be the bundler's: migbundle
# build refuses what PostgreSQL's parser refuses, so an unknown column)
revision r2 r1 "two" "CREATE TABLE t2 (id INTEGER);

SELECT 1
  FROM t2
  WHERE nosuchcol = 1;" "DROP TABLE t2;"
make_app "$T/revs" "$T/app2"
fresh=$(new_db fresh)
run "$T/app2" -d "$fresh" up
expect_status 1
if pg; then
    expect_err 'r2_x.sql:10: revision r2 failed: column "nosuchcol" does not exist (error near line 12)'
    expect_err "SQLSTATE 42703"
else
    expect_err 'r2_x.sql:10: revision r2 failed: no such column: nosuchcol (error near line 12)'
fi

# with the file fixed, the next run applies r2 and r3
revision r2 r1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
make_app "$T/revs" "$T/app3"
run "$T/app3" -d "$db" up
expect_status 0
[ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 3 ] ||
    fail "the fixed bundle did not apply r2 and r3"

# a failing down rolls back too
revision r3 r2 "three" "CREATE TABLE t3 (id INTEGER);" "DROP TABLE no_such;"
make_app "$T/revs" "$T/app4"
d=$(new_db d)
run "$T/app4" -d "$d" up
expect_status 0
run "$T/app4" -d "$d" down -1
expect_status 1
if pg; then
    expect_err 'r3_x.sql:11: revision r3 failed: table "no_such" does not exist'
else
    expect_err "r3_x.sql:11: revision r3 failed: no such table: no_such"
fi
[ "$(sql "$d" "SELECT count(*) FROM migbundle_version")" = 3 ] ||
    fail "a failed down removed the version row"
sql "$d" "SELECT 1 FROM t3" >/dev/null || fail "a failed down dropped t3"
echo "ok"

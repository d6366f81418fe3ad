#!/usr/bin/env bash
# runtime_autocommit.sh -- the transaction:false story: a statement fails
# half-way, the log says which (K of N, FILE:LINE), every later run refuses
# (exit 3) naming `resolve`, and resolve --rolled-back / --applied settle
# it. Also --single-transaction: all or nothing, and refused (exit 2,
# nothing written) when the plan holds a transaction:false section.
. "$(dirname "$0")/lib.sh"

revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
mkdir -p "$T/revs"
cat >"$T/revs/b2_x.sql" <<'SQL'
-- two, outside a transaction
--
-- Revision ID: b2
-- Revises: a1

-- migrate:up transaction:false
CREATE TABLE t2a (id INTEGER);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE t2b (id INTEGER);

-- migrate:down transaction:false
DROP TABLE t2b;
DROP TABLE t2a;
SQL
revision c3 b2 "three" "CREATE TABLE t3 (id INTEGER);" "DROP TABLE t3;"
make_app "$T/revs" "$T/app"
db=$(new_db story)

run "$T/app" -d "$db" up
expect_status 1
expect_err "b2_x.sql:8: revision b2 failed"
[ "$(sql "$db" "SELECT revision FROM migbundle_version")" = a1 ] ||
    fail "only a1 should be recorded"
[ "$(sql "$db" "SELECT outcome FROM migbundle_log WHERE revision = 'b2' ORDER BY id")" = \
  "$(printf 'started\nincomplete')" ] || fail "b2 log rows: started then incomplete expected"
sql "$db" "SELECT error FROM migbundle_log WHERE revision = 'b2' AND outcome = 'incomplete'" |
    grep -q "b2_x.sql:8" || fail "the incomplete row does not name b2_x.sql:8"
if [ "$MB_TEST_BACKEND" = postgres ]; then
    sql "$db" "SELECT error FROM migbundle_log WHERE outcome = 'incomplete'" |
        grep -q "statement 2 of 3 failed" || fail "no K of N in the log"
fi

# every later run refuses before any SQL, naming the way out
before=$(dump "$db")
for args in up "up c3" down; do
    # shellcheck disable=SC2086
    run "$T/app" -d "$db" $args
    expect_status 3
    expect_err "a transaction:false section did not finish; nothing was changed"
    expect_err "revision b2: the transaction:false up section failed part-way"
    expect_err "resolve REV --applied"
    [ "$before" = "$(dump "$db")" ] || fail "$args changed the database"
done
run "$T/app" -d "$db" verify
expect_status 3
expect_out "database: revision b2: the transaction:false up section failed part-way"

# resolve: usage and refusals write nothing
run "$T/app" -d "$db" resolve b2
expect_status 2
expect_err "resolve needs --applied or --rolled-back"
run "$T/app" -d "$db" resolve
expect_status 2
expect_err "\"resolve\" needs REV --applied|--rolled-back"
run "$T/app" -d "$db" resolve a1 --applied
expect_status 2
expect_err "revision a1 has nothing to resolve"
run "$T/app" -d "$db" resolve b2 --applied --rolled-back
expect_status 2
run "$T/app" -d "$db" up --applied
expect_status 2
expect_err "--applied is for resolve"
[ "$before" = "$(dump "$db")" ] || fail "a refused resolve changed the database"

# the operator undoes statement 1 by hand and records it
sql "$db" "DROP TABLE t2a" >/dev/null
run "$T/app" -d "$db" resolve b2 --rolled-back
expect_status 0
expect_err "revision b2 resolved as rolled back"
[ "$(sql "$db" "SELECT outcome FROM migbundle_log ORDER BY id DESC LIMIT 1")" = resolved ] ||
    fail "no resolved row"
[ "$(sql "$db" "SELECT revision FROM migbundle_version")" = a1 ] ||
    fail "--rolled-back must not record b2"

# the fixed release applies b2 and c3
sed -i 's/INSERT INTO no_such_table VALUES (1);/INSERT INTO t2a VALUES (1);/' "$T/revs/b2_x.sql"
make_app "$T/revs" "$T/app2"
run "$T/app2" -d "$db" up
expect_status 0
[ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 3 ] || fail "expected 3 rows"
[ "$(sql "$db" "SELECT outcome FROM migbundle_log WHERE revision = 'b2' ORDER BY id DESC LIMIT 1")" = ok ] ||
    fail "b2's last log row should be ok"

# a down section that fails part-way blocks even a run with nothing to do
# (up && exec server must not start on a half-rolled-back schema)
run "$T/app2" -d "$db" down -1        # c3
expect_status 0
sql "$db" "DROP TABLE t2a" >/dev/null  # the down's second statement fails
run "$T/app2" -d "$db" down -1        # b2, transaction:false
expect_status 1
before=$(dump "$db")
run "$T/app2" -d "$db" up b2          # b2 is still recorded: nothing to do
expect_status 3
expect_err "revision b2: the transaction:false down section failed part-way"
[ "$before" = "$(dump "$db")" ] || fail "the refused no-op changed the database"
sql "$db" "CREATE TABLE t2a (id INTEGER)" >/dev/null
run "$T/app2" -d "$db" resolve b2 --rolled-back
expect_status 0
run "$T/app2" -d "$db" up
expect_status 0

# resolve --applied: the operator finished the section by hand
db2=$(new_db story2)
run "$T/app" -d "$db2" up
expect_status 1
sql "$db2" "CREATE TABLE t2b (id INTEGER)" >/dev/null
run "$T/app" -d "$db2" resolve b2 --applied
expect_status 0
[ "$(sql "$db2" "SELECT revision FROM migbundle_version ORDER BY revision")" = "$(printf 'a1\nb2')" ] ||
    fail "--applied must record b2"
# b2 now counts as applied with the bundle's checksum: the next run goes on
run "$T/app" -d "$db2" up
expect_status 0
[ "$(sql "$db2" "SELECT count(*) FROM migbundle_version")" = 3 ] || fail "c3 not applied"

# --single-transaction refuses a plan with a transaction:false section
db3=$(new_db single)
before=$(dump "$db3")
run "$T/app" -d "$db3" --single-transaction up
expect_status 2
expect_err "b2_x.sql:6: --single-transaction cannot run revision b2: its section is transaction:false"
[ "$before" = "$(dump "$db3")" ] || fail "a refused --single-transaction wrote"
run "$T/app" -d "$db3" --single-transaction up a1
expect_status 0

# all or nothing: x3 fails, x1 and x2 are rolled back with it
mkdir -p "$T/all"
for i in 1 2 3; do
    up="CREATE TABLE x$i (id INTEGER);"
    [ $i = 3 ] && up="INSERT INTO no_such_table VALUES (1);"
    printf -- '-- x%s\n--\n-- Revision ID: x%s\n-- Revises: %s\n\n-- migrate:up\n%s\n\n-- migrate:down\nSELECT 1;\n' \
        $i $i "$([ $i -gt 1 ] && echo x$((i - 1)))" "$up" >"$T/all/x$i.sql"
done
make_app "$T/all" "$T/app.all"
db4=$(new_db allornothing)
run "$T/app.all" -d "$db4" up --single-transaction
expect_status 1
expect_err "x3.sql:7: revision x3 failed"
expect_err "--single-transaction: the whole run was rolled back"
[ "$(sql "$db4" "SELECT count(*) FROM migbundle_version")" = 0 ] ||
    fail "--single-transaction kept version rows"
[ "$(sql "$db4" "SELECT revision || ':' || outcome FROM migbundle_log")" = "x3:failed" ] ||
    fail "expected exactly one failed log row for x3"
echo "ok"

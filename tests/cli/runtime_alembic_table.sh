#!/usr/bin/env bash
# runtime_alembic_table.sh -- --version-table naming a table Alembic
# manages (one version_num column) is recognised: exit 2, a message that
# says so, the heads Alembic recorded and the stamp command that records
# the same state in migbundle's own table; nothing is written.
. "$(dirname "$0")/lib.sh"

revision abc1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
revision abd2 abc1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
make_app "$T/revs" "$T/app"
db=$(new_db app)
sql "$db" "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
sql "$db" "INSERT INTO alembic_version VALUES ('abd2')"
before=$(dump "$db")
for cmd in up current verify "stamp abd2"; do
    # shellcheck disable=SC2086
    run "$T/app" -d "$db" --version-table alembic_version $cmd
    expect_status 2
    expect_err 'table "alembic_version" is Alembic'"'"'s version table (a version_num column), not migbundle'"'"'s'
    expect_err "Alembic recorded the heads: abd2"
    expect_err 'record the same state once with "stamp abd2"'
    [ "$before" = "$(dump "$db")" ] || fail "$cmd changed the database"
done
# what the hint says works: migbundle's own table, stamped
run "$T/app" -d "$db" stamp abd2
expect_status 0
run "$T/app" -d "$db" current
expect_out "abd2 (head)"
echo ok

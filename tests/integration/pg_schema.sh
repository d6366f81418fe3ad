#!/usr/bin/env bash
# pg_schema.sh -- --schema, --version-table and --log-table: the tables go
# where they are told, names are quoted (case kept), two sets of tables in
# one database stay apart, and the options are refused where they do not
# apply.
. "$(dirname "$0")/../cli/lib.sh"

revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
make_app "$T/revs" "$T/app"
db=$(new_db schema)
sql "$db" 'CREATE SCHEMA "Audit"'
run "$T/app" -d "$db" --schema Audit --version-table Versions --log-table Log up
expect_status 0
[ "$(sql "$db" 'SELECT revision FROM "Audit"."Versions"')" = a1 ] ||
    fail "the version table is not Audit.Versions"
[ "$(sql "$db" 'SELECT outcome FROM "Audit"."Log"')" = ok ] || fail "the log is not Audit.Log"
run "$T/app" -d "$db" --schema Audit --version-table Versions --log-table Log verify
expect_status 0
expect_out "1 applied revision matches"
# the default tables are separate: nothing applied there yet
run "$T/app" -d "$db" current
expect_status 0
[ ! -s "$OUT" ] || fail "the default version table should be empty"
sql "$db" "DROP TABLE t1"
run "$T/app" -d "$db" up
expect_status 0
[ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 1 ] || fail "default tables"
# a schema that does not exist: a database error, nothing created
run "$T/app" -d "$db" --schema nope down base
expect_status 0 # nothing applied there: nothing to do
run "$T/app" -d "$db" --schema nope up
expect_status 1
expect_err 'schema "nope" does not exist'
# refused options
run "$T/app" -d "$db" --schema 'bad-name' up
expect_status 2
expect_err 'invalid table or schema name "bad-name"'
run "$T/app" -d "$db" --version-table same --log-table same up
expect_status 2
expect_err "the version and log tables need different names"
run "$T/app" -d "sqlite:$T/x.db" --schema Audit up
expect_status 2
expect_err "--schema is for PostgreSQL databases"
[ ! -e "$T/x.db" ] || fail "a refused --schema created the SQLite file"
echo "ok"

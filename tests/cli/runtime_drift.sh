#!/usr/bin/env bash
# runtime_drift.sh -- schema drift: the fingerprint up, down and stamp
# record in migbundle_schema, verify --drift (a column added and an index
# dropped by hand, each named; a clean database; a database from before
# fingerprints; a tampered fingerprint), up warning and up --strict
# refusing with nothing written (down and down --strict alike), and
# migbundle's own tables left out; the
# fingerprint table append-only (its guard left out of the snapshot, and
# added to a table made before it).
. "$(dirname "$0")/lib.sh"

revision a1 "" "one" \
    "CREATE TABLE t1 (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX ix_t1_name ON t1 (name);" \
    "DROP TABLE t1;"
revision b2 a1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
make_app "$T/revs" "$T/app"
db=$(new_db app)
# the snapshot qualifies PostgreSQL's names with their schema
p=""
[ "$MB_TEST_BACKEND" = sqlite ] || p="public."
# a declared type as the snapshot writes it (PostgreSQL's format_type)
tr_type() {
    if [ "$MB_TEST_BACKEND" = sqlite ]; then echo "$1"; else echo "$1" | tr 'A-Z' 'a-z'; fi
}
fingerprints() { sql "$db" "SELECT count(*) FROM migbundle_schema"; }

run "$T/app" -d "$db" up a1
expect_status 0
[ "$(fingerprints)" = 1 ] || fail "up recorded $(fingerprints) fingerprints"
[ "$(sql "$db" "SELECT heads FROM migbundle_schema")" = a1 ] ||
    fail "the fingerprint's heads: $(sql "$db" "SELECT heads FROM migbundle_schema")"
# the stored checksum is XXH3-128 of the stored text
sql "$db" "SELECT schema_text FROM migbundle_schema" >"$T/text"
grep -qix "column ${p}t1.name: TEXT" "$T/text" || fail "text: $(cat "$T/text")"
! grep -q migbundle "$T/text" || fail "migbundle's tables in the fingerprint"
run "$T/app" -d "$db" verify --drift
expect_status 0
expect_out "schema: ok (fingerprint $(sql "$db" "SELECT checksum FROM migbundle_schema") recorded at "
# without --drift verify says nothing of the schema
run "$T/app" -d "$db" verify
expect_status 0
! grep -q "^schema:" "$OUT" || fail "verify without --drift compared the schema"

# a column added by hand
sql "$db" "ALTER TABLE t1 ADD COLUMN extra TEXT"
run "$T/app" -d "$db" verify --drift
expect_status 3
expect_out "schema: added column ${p}t1.extra"
expect_err "verification failed: 1 problem"
run "$T/app" -d "$db" verify --drift --format json
expect_status 3
expect_out '"fingerprint": "drift"'
expect_out "{\"change\": \"added\", \"kind\": \"column\", \"name\": \"${p}t1.extra\", \"recorded\": null, \"now\": \"$(tr_type TEXT)\"}"
expect_out '"problems": ["added column '"${p}"'t1.extra"]'

# up --strict refuses before writing anything
before=$(dump "$db")
run "$T/app" -d "$db" up --strict
expect_status 3
expect_err "the schema drifted from the fingerprint recorded at the current heads: 1 object; nothing was changed"
expect_err "schema drift: added column ${p}t1.extra"
expect_err 'hint: run "verify --drift"'
[ "$before" = "$(dump "$db")" ] || fail "up --strict changed the database"

# up warns, runs, and records the schema as it then is
run "$T/app" -d "$db" up
expect_status 0
expect_err "warning: schema drift: added column ${p}t1.extra"
expect_err "applied 1 revision"
[ "$(fingerprints)" = 2 ] || fail "up recorded no fingerprint"
run "$T/app" -d "$db" verify --drift
expect_status 0
expect_out "schema: ok"

# an index dropped by hand; down warns, rolls back and records
sql "$db" "DROP INDEX ix_t1_name"
run "$T/app" -d "$db" verify --drift
expect_status 3
expect_out "schema: removed index ${p}ix_t1_name"
run "$T/app" -d "$db" down
expect_status 0
expect_err "warning: schema drift: removed index ${p}ix_t1_name"
[ "$(fingerprints)" = 3 ] || fail "down recorded no fingerprint"
[ "$(sql "$db" "SELECT heads FROM migbundle_schema ORDER BY id DESC LIMIT 1")" = a1 ] ||
    fail "down's fingerprint is not at a1"
run "$T/app" -d "$db" verify --drift
expect_status 0

# a definition changed by hand (PostgreSQL: SQLite cannot alter a column)
if [ "$MB_TEST_BACKEND" != sqlite ]; then
    sql "$db" "ALTER TABLE t1 ALTER COLUMN name SET NOT NULL"
    run "$T/app" -d "$db" verify --drift
    expect_status 3
    expect_out "schema: changed column public.t1.name (recorded: text; now: text NOT NULL)"
    sql "$db" "ALTER TABLE t1 ALTER COLUMN name DROP NOT NULL"
fi

# a stamp with nothing to do records only a stale fingerprint
before=$(dump "$db")
run "$T/app" -d "$db" stamp a1
expect_status 0
[ "$before" = "$(dump "$db")" ] || fail "a stamp with an up-to-date fingerprint wrote"
sql "$db" "ALTER TABLE t1 ADD COLUMN accepted TEXT"
run "$T/app" -d "$db" stamp a1
expect_status 0
expect_err "recorded the schema fingerprint at the current heads"
run "$T/app" -d "$db" verify --drift
expect_status 0

# a database from before fingerprints: nothing to compare, and a hint
sql "$db" "DROP TABLE migbundle_schema"
run "$T/app" -d "$db" verify --drift
expect_status 0
expect_out "schema: no fingerprint recorded; nothing to compare"
expect_err "hint: an up, down or stamp of this release records one"
run "$T/app" -d "$db" verify --drift --format json
expect_status 0
expect_out '"fingerprint": "none"'
run "$T/app" -d "$db" up --strict b2
expect_status 0
run "$T/app" -d "$db" verify --drift
expect_status 0
expect_out "schema: ok"

# a fingerprint whose latest row is at other heads is not compared
sql "$db" "INSERT INTO migbundle_schema (heads, checksum, schema_text, bundle_digest, recorded_at) SELECT 'zz', checksum, schema_text, bundle_digest, recorded_at FROM migbundle_schema"
sql "$db" "ALTER TABLE t2 ADD COLUMN late TEXT"
run "$T/app" -d "$db" verify --drift
expect_status 0
expect_out "schema: no fingerprint recorded at the current heads (the latest is at zz)"

# a fingerprint edited in the table does not hash to its checksum
run "$T/app" -d "$db" stamp b2
expect_status 0
sql "$db" "INSERT INTO migbundle_schema (heads, checksum, schema_text, bundle_digest, recorded_at) SELECT heads, checksum, schema_text || 'table x', bundle_digest, recorded_at FROM migbundle_schema WHERE id = (SELECT max(id) FROM migbundle_schema)"
run "$T/app" -d "$db" verify --drift
expect_status 3
expect_out "does not match its checksum"

# other table names: the fingerprint table follows the version table's
db2=$(new_db names)
run "$T/app" -d "$db2" --version-table app_version --log-table app_log up
expect_status 0
[ "$(sql "$db2" "SELECT count(*) FROM app_schema")" = 1 ] ||
    fail "no app_schema table"
run "$T/app" -d "$db2" --version-table app_version --log-table app_log verify --drift
expect_status 0
expect_out "schema: ok"

# the fingerprint table is append-only, as the log is
db4=$(new_db guard)
run "$T/app" -d "$db4" up a1
expect_status 0
# refused: STATEMENT... each fails, saying why
refused() {
    local stmt
    for stmt in "$@"; do
        if sql "$db4" "$stmt" >"$T/guard.out" 2>&1; then
            fail "allowed on the fingerprint table: $stmt"
        fi
        grep -q "the schema fingerprint table is append-only" "$T/guard.out" ||
            fail "$stmt: $(cat "$T/guard.out")"
    done
}
changes=("UPDATE migbundle_schema SET heads = 'x'" "DELETE FROM migbundle_schema")
[ "$MB_TEST_BACKEND" = sqlite ] || changes+=("TRUNCATE migbundle_schema")
refused "${changes[@]}"
[ "$(sql "$db4" "SELECT count(*) FROM migbundle_schema")" = 1 ] ||
    fail "a refused change took a fingerprint row"
# the guard is not the user's schema: not in the text, no drift from it
sql "$db4" "SELECT schema_text FROM migbundle_schema" >"$T/text4"
! grep -q -e append_only -e no_update -e no_delete "$T/text4" ||
    fail "the guard is in the fingerprint: $(cat "$T/text4")"
# a table made by a release before the guard: the snapshot is the same
# without it, and the next run that records adds it
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    sql "$db4" "DROP TRIGGER migbundle_schema_no_update; DROP TRIGGER migbundle_schema_no_delete"
else
    sql "$db4" "DROP TRIGGER migbundle_schema_append_only ON migbundle_schema;
        DROP FUNCTION migbundle_schema_append_only()"
fi
run "$T/app" -d "$db4" verify --drift
expect_status 0
expect_out "schema: ok"
sql "$db4" "UPDATE migbundle_schema SET bundle_digest = bundle_digest"
run "$T/app" -d "$db4" up
expect_status 0
refused "${changes[@]}"
[ "$(sql "$db4" "SELECT count(*) FROM migbundle_schema")" = 2 ] ||
    fail "the run that added the guard recorded no fingerprint"
run "$T/app" -d "$db4" verify --drift
expect_status 0
expect_out "schema: ok"

# a fingerprint that cannot be recorded is a warning; the run stands
# (test builds: MIGBUNDLE_FAULT_INJECTION)
if fault_build "$T/app"; then
    db3=$(new_db fault)
    # not_recorded POINT DONE CMD...: CMD with POINT failing warns, says
    # DONE, and leaves no fingerprint
    not_recorded() {
        local point=$1 done=$2
        shift 2
        run env MB_FAULT="$point:1:fail" "$T/app" -d "$db3" "$@"
        expect_status 0
        expect_err "warning: the schema fingerprint was not recorded: injected failure at fault point \"$point\""
        expect_err "$done"
        run "$T/app" -d "$db3" verify --drift
        expect_status 0
        expect_out "schema: no fingerprint recorded"
    }
    not_recorded fingerprint "applied 2 revisions" up
    # the same when the guard cannot be made: no table without it
    not_recorded fingerprint_guard "rolled back 1 revision" down
    run "$T/app" -d "$db3" up
    expect_status 0
    [ "$(sql "$db3" "SELECT count(*) FROM migbundle_schema")" = 1 ] ||
        fail "no fingerprint after the guard failed once"
    if sql "$db3" "DELETE FROM migbundle_schema" >/dev/null 2>&1; then
        fail "no guard after it failed once"
    fi
fi

# a fingerprint the database refuses (a trigger added by hand): the
# recording fails inside its savepoint, in the last revision's
# transaction, and is rolled back alone; a warning, and the run stands
db6=$(new_db refusing)
run "$T/app" -d "$db6" up a1
expect_status 0
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    sql "$db6" "CREATE TRIGGER refuse_fp BEFORE INSERT ON migbundle_schema
        BEGIN SELECT RAISE(ABORT, 'no more fingerprints'); END"
else
    sql "$db6" "CREATE FUNCTION refuse_fp() RETURNS trigger LANGUAGE plpgsql
        AS \$\$ BEGIN RAISE EXCEPTION 'no more fingerprints'; END \$\$;
        CREATE TRIGGER refuse_fp BEFORE INSERT ON migbundle_schema
        FOR EACH ROW EXECUTE FUNCTION refuse_fp()"
fi
run "$T/app" -d "$db6" up b2
expect_status 0
expect_err "warning: the schema fingerprint was not recorded:"
expect_err "no more fingerprints"
expect_err "applied 1 revision"
[ "$(sql "$db6" "SELECT count(*) FROM migbundle_version")" = 2 ] ||
    fail "b2 did not stay applied"
[ "$(sql "$db6" "SELECT heads FROM migbundle_schema ORDER BY id DESC LIMIT 1")" = a1 ] ||
    fail "a fingerprint was recorded through the refusing trigger"
# when the savepoint itself fails (test builds), the transaction is in
# doubt: the revision is rolled back and logged failed. Its passes:
# SAVEPOINT (1), then, the recording refused, ROLLBACK TO (2) and
# RELEASE (3)
if fault_build "$T/app"; then
    for n in 1 2 3; do
        run env MB_FAULT=savepoint:$n:fail "$T/app" -d "$db6" down -1
        expect_status 1
        expect_err 'injected failure at fault point "savepoint"'
        [ "$(sql "$db6" "SELECT count(*) FROM migbundle_version")" = 2 ] ||
            fail "savepoint:$n: the down of b2 committed"
        [ "$(sql "$db6" "SELECT direction || ' ' || outcome FROM migbundle_log WHERE revision = 'b2' ORDER BY id DESC LIMIT 1")" = "down failed" ] ||
            fail "savepoint:$n: no failed log row"
    done
fi
# the trigger gone, a stamp of the heads records the fingerprint
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    sql "$db6" "DROP TRIGGER refuse_fp"
else
    sql "$db6" "DROP TRIGGER refuse_fp ON migbundle_schema; DROP FUNCTION refuse_fp()"
fi
run "$T/app" -d "$db6" stamp b2
expect_status 0
expect_err "recorded the schema fingerprint at the current heads"
run "$T/app" -d "$db6" verify --drift
expect_status 0
expect_out "schema: ok"

# down --strict refuses as up --strict does; down alone warns and runs
db5=$(new_db down)
run "$T/app" -d "$db5" up
expect_status 0
sql "$db5" "ALTER TABLE t1 ADD COLUMN by_hand TEXT"
before=$(dump "$db5")
run "$T/app" -d "$db5" down -1 --strict
expect_status 3
expect_err "the schema drifted from the fingerprint recorded at the current heads: 1 object; nothing was changed"
expect_err "schema drift: added column ${p}t1.by_hand"
expect_err 'hint: run "verify --drift"'
[ "$before" = "$(dump "$db5")" ] || fail "down --strict changed the database"
run "$T/app" -d "$db5" down -1
expect_status 0
expect_err "warning: schema drift: added column ${p}t1.by_hand"
expect_err "rolled back 1 revision"
[ "$(sql "$db5" "SELECT revision FROM migbundle_version")" = a1 ] ||
    fail "down did not roll back b2"
# stamp never compares (it has no --strict): it records the schema as is
sql "$db5" "ALTER TABLE t1 ADD COLUMN by_hand_too TEXT"
run "$T/app" -d "$db5" stamp a1
expect_status 0
! grep -q "schema drift" "$ERR" || fail "stamp warned of drift"
expect_err "recorded the schema fingerprint at the current heads"
# the drift accepted, --strict has nothing to refuse
run "$T/app" -d "$db5" down -1 --strict
expect_status 0
expect_err "rolled back 1 revision"

# usage: --drift is verify's, --strict up's and down's, and not with --sql
run "$T/app" -d "$db" current --drift
expect_status 2
run "$T/app" -d "$db" verify --strict
expect_status 2
run "$T/app" -d "$db" stamp a1 --strict
expect_status 2
expect_err "--strict is for up and down"
run "$T/app" -d "$db" up --strict --sql
expect_status 2
run "$T/app" -d "$db" down --strict --sql base:a1
expect_status 2
expect_err "--strict means nothing with --sql"
echo ok

#!/usr/bin/env bash
# runtime_offline.sh -- up, down and stamp with --sql: the script, piped
# into sqlite3 -bail or psql -v ON_ERROR_STOP=1, leaves the same version
# rows, log rows (times aside) and schema as the online run does on a
# second database, for up, down and stamp ranges; run again, or on a
# database that is not at its start (another state, a changed checksum,
# an unfinished transaction:false section), it stops at its guard and
# changes nothing; a transaction:false section runs outside BEGIN/COMMIT;
# every bad input is exit 2 with nothing on stdout.
. "$(dirname "$0")/lib.sh"

if [ "$MB_TEST_BACKEND" = sqlite ]; then dialect=sqlite; else dialect=postgresql; fi

# script FILE URL: run an offline script against URL, as a DBA would
script() {
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        sqlite3 -bail "${2#sqlite:}" <"$1"
    else
        psql -X -q -v ON_ERROR_STOP=1 -d "$(pg_name "$2")" -f "$1"
    fi
}

# state URL: the version rows and log rows without their times, and the
# schema, in a form two databases can be compared by ($VT and $LT name
# the tables when they are not the default ones)
state() {
    local vt=${VT:-migbundle_version} lt=${LT:-migbundle_log}
    sql "$1" "SELECT revision, checksum, bundle_digest FROM $vt ORDER BY revision"
    echo "--"
    sql "$1" "SELECT revision, direction, checksum, bundle_digest, outcome, COALESCE(error, '-'), finished_at IS NULL FROM $lt ORDER BY id"
    echo "--"
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        sqlite3 "${1#sqlite:}" .schema
    else
        pg_dump --schema-only --no-owner --no-privileges -d "$(pg_name "$1")" |
            grep -v -e '^--' -e '^$' -e '^\\restrict' -e '^\\unrestrict'
    fi
}

# compare FILE OFF ON ARGS...: run the script FILE on the database OFF
# and `app -d ON ARGS...` on ON; both succeed and leave them alike
compare() {
    local file=$1 off=$2 on=$3
    shift 3
    run script "$file" "$off"
    expect_status 0
    run "$app" -q -d "$on" "$@"
    expect_status 0
    # the online run's schema fingerprint: a script records none (cli.md)
    local vt=${VT:-migbundle_version}
    [ "$(sql "$on" "SELECT count(*) FROM ${vt%_version}_schema")" -ge 1 ] ||
        fail "the online run recorded no fingerprint"
    sql "$on" "DROP TABLE ${vt%_version}_schema"
    # and its append-only guard: SQLite's triggers went with the table
    [ "$MB_TEST_BACKEND" = sqlite ] ||
        sql "$on" "DROP FUNCTION ${vt%_version}_schema_append_only()"
    state "$off" >"$T/off.state"
    state "$on" >"$T/on.state"
    diff -u "$T/on.state" "$T/off.state" >&2 || fail "offline and online differ (diff above)"
}

# offline FILE ARGS...: print a script (exit 0, something on stdout)
offline() {
    local file=$1
    shift
    run "$app" --dialect "$dialect" --sql "$@"
    expect_status 0
    [ -s "$OUT" ] || fail "--sql $* printed nothing"
    cp "$OUT" "$file"
}

# refused FILE URL MESSAGE: the script stops at its guard, nothing changed
refused() {
    local before
    before=$(dump "$2")
    [ "$MB_TEST_BACKEND" != sqlite ] || cp "${2#sqlite:}" "$T/before.db"
    run script "$1" "$2"
    [ "$STATUS" != 0 ] || fail "$1 ran on a database not at its start"
    expect_err "$3"
    [ "$before" = "$(dump "$2")" ] || fail "$1 changed the database it refused"
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        cmp -s "$T/before.db" "${2#sqlite:}" || fail "$1 changed the file's bytes"
    fi
}

make_app "$MB_SOURCE_DIR/samples/migrations" "$T/app"
app=$T/app
off=$(new_db off)
on=$(new_db on)

# up from base to a revision, then on to the heads (through the two
# transaction:false sections of the sample on PostgreSQL)
offline "$T/up1.sql" up c25d9b7e1f08
head -1 "$T/up1.sql" | grep -qF -- "-- app up --sql: the SQL of \"up\" from base to c25d9b7e1f08 on $dialect" ||
    fail "header: $(head -1 "$T/up1.sql")"
grep -qF "$("$app" --version | sed 's/.*bundle //; s/)//')" "$T/up1.sql" ||
    fail "the script does not name the bundle"
expect_err "the SQL to apply 3 revisions from base to c25d9b7e1f08 ($dialect); nothing was run"
run "$app" --dialect "$dialect" --sql up c25d9b7e1f08
cmp -s "$OUT" "$T/up1.sql" || fail "the same arguments printed another script"
compare "$T/up1.sql" "$off" "$on" up c25d9b7e1f08
refused "$T/up1.sql" "$off" "this database is not at base, where this script starts"

offline "$T/up2.sql" up c25d9b7e1f08:
compare "$T/up2.sql" "$off" "$on" up
refused "$T/up2.sql" "$off" "this database is not at c25d9b7e1f08, where this script starts"
run "$app" -d "$off" verify
expect_status 0
if [ "$dialect" = postgresql ]; then
    # the index revision's section runs outside BEGIN/COMMIT, after its
    # `started` row was committed
    awk '/^-- up 09c6f2e8a4b1:/ {on = 1} on' "$T/up2.sql" >"$T/index.sql"
    grep -A1 "^COMMIT;" "$T/index.sql" | grep -qF -- "-- outside a transaction" ||
        fail "the transaction:false section is not outside a transaction"
    grep -qF "'started', NULL);" "$T/index.sql" || fail "no started row"
    # from that COMMIT to the next BEGIN: the section, and no transaction
    awk '/^-- outside a transaction/ {on = 1; next} on && /^BEGIN;/ {exit} on' \
        "$T/index.sql" >"$T/outside.sql"
    grep -q '^CREATE INDEX CONCURRENTLY' "$T/outside.sql" ||
        fail "CREATE INDEX CONCURRENTLY is not between the two transactions"
    ! grep -qE '^(BEGIN|COMMIT|ROLLBACK)' "$T/outside.sql" ||
        fail "a transaction statement around CREATE INDEX CONCURRENTLY"
fi

# down from the heads to a revision: START is required
run "$app" --dialect "$dialect" --sql down 4f9e
expect_status 2
expect_err "down --sql needs START:END"
[ ! -s "$OUT" ] || fail "a refusal printed a script"
offline "$T/down1.sql" down heads:4f9e
expect_err "revisions from heads to 4f9e ($dialect); nothing was run"
compare "$T/down1.sql" "$off" "$on" down 4f9e
refused "$T/down1.sql" "$off" "this database is not at $("$app" heads | cut -d' ' -f1)"
# END defaults to -1, as online
offline "$T/down2.sql" down 4f9e2a61d7c3:
compare "$T/down2.sql" "$off" "$on" down

# a script for another start: refused, nothing changed
refused "$T/up1.sql" "$off" "this database is not at base"

# stamp, from the start given and from base
offline "$T/stamp1.sql" stamp c25d9b7e1f08:b7306c58e2a9
expect_err "the SQL of a stamp from c25d9b7e1f08: 2 version rows change"
compare "$T/stamp1.sql" "$off" "$on" stamp b7306c58e2a9
refused "$T/stamp1.sql" "$off" "this database is not at c25d9b7e1f08"
offline "$T/stamp2.sql" stamp b7306c58e2a9:8e41f0a6c93b
compare "$T/stamp2.sql" "$off" "$on" stamp 8e41f0a6c93b
# nothing to do: the script only checks the start
offline "$T/none.sql" stamp 8e41f0a6c93b:8e41f0a6c93b
grep -qF -- "-- nothing to do" "$T/none.sql" || fail "no nothing-to-do comment"
before=$(dump "$off")
run script "$T/none.sql" "$off"
expect_status 0
[ "$before" = "$(dump "$off")" ] || fail "a script with nothing to do wrote"

# a recorded checksum that differs, and an unfinished transaction:false
# section: the guard refuses both, as an online run would (exit 3)
offline "$T/up3.sql" up 8e41f0a6c93b:c25d9b7e1f08
sql "$off" "UPDATE migbundle_version SET checksum = '00000000000000000000000000000000' WHERE revision = '1a7c3e90b2d4'"
refused "$T/up3.sql" "$off" "this database is not at 8e41f0a6c93b"
sql "$off" "UPDATE migbundle_version SET checksum = (SELECT checksum FROM migbundle_log WHERE revision = '1a7c3e90b2d4' LIMIT 1) WHERE revision = '1a7c3e90b2d4'"
run "$app" -d "$off" verify
expect_status 0
sql "$off" "INSERT INTO migbundle_log (revision, direction, checksum, bundle_digest, started_at, outcome) SELECT revision, 'up', checksum, bundle_digest, applied_at, 'started' FROM migbundle_version WHERE revision = '8e41f0a6c93b'"
refused "$T/up3.sql" "$off" "no unfinished transaction:false section"

# other table names, on a new database
vt_off=$(new_db vtoff)
vt_on=$(new_db vton)
offline "$T/names.sql" up 8e41 --version-table vt --log-table lt
VT=vt LT=lt compare "$T/names.sql" "$vt_off" "$vt_on" --version-table vt --log-table lt up 8e41

# --single-transaction: one transaction, the rows of all steps before
# its COMMIT, as online
st_off=$(new_db stoff)
st_on=$(new_db ston)
offline "$T/single.sql" up 5d1e8f3a0c72 --single-transaction
[ "$(grep -c '^COMMIT;' "$T/single.sql")" = 1 ] || fail "--single-transaction: not one COMMIT"
compare "$T/single.sql" "$st_off" "$st_on" up 5d1e8f3a0c72 --single-transaction
refused "$T/single.sql" "$st_off" "this database is not at base"
# -q: the script and nothing else
run "$app" -q --dialect "$dialect" --sql up
expect_status 0
[ ! -s "$ERR" ] || fail "-q printed: $(cat "$ERR")"

if [ "$MB_TEST_BACKEND" = postgres ]; then
    # --schema: the tables in another schema, as online
    sc_off=$(new_db scoff)
    sc_on=$(new_db scon)
    sql "$sc_off" "CREATE SCHEMA audit"
    sql "$sc_on" "CREATE SCHEMA audit"
    offline "$T/schema.sql" up c25d9b7e1f08 --schema audit
    VT=audit.migbundle_version LT=audit.migbundle_log compare "$T/schema.sql" "$sc_off" "$sc_on" --schema audit up c25d9b7e1f08
    # the script waits for the lock of online runs, at most --lock-timeout
    offline "$T/lock.sql" up c25d9b7e1f08:4f9e2a61d7c3 --lock-timeout 0.5 --schema audit
    key=$(sed -n 's/^SELECT pg_advisory_lock(\([0-9]*, [0-9]*\));$/\1/p' "$T/lock.sql")
    [ -n "$key" ] || fail "no advisory lock in the script"
    psql -X -q -d "$(pg_name "$sc_off")" -c "SELECT pg_advisory_lock($key)" \
        -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
    holder=$!
    for _ in $(seq 50); do
        [ "$(sql "$sc_off" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND classid = ${key%%,*} AND objid = ${key##* } AND granted")" = 1 ] && break
        sleep 0.1
    done
    refused "$T/lock.sql" "$sc_off" "canceling statement due to lock timeout"
    kill "$holder" 2>/dev/null || true
    wait "$holder" 2>/dev/null || true
fi

# a graph built here: a branch, a merge (no SQL of its own), a generic
# transaction:false section (on both dialects), a second base
revision r1 "" "root" "CREATE TABLE r1 (id INTEGER);" "DROP TABLE r1;"
revision a2 r1 "left" "CREATE TABLE a2 (id INTEGER);" "DROP TABLE a2;"
revision b2 r1 "right" "CREATE TABLE b2 (id INTEGER);" "DROP TABLE b2;"
revision m3 "a2, b2" "merge" "" ""
revision z5 "" "side" "CREATE TABLE z5 (id INTEGER);" "DROP TABLE z5;"
cat >"$T/revs/t4_x.sql" <<'EOF'
-- outside a transaction
--
-- Revision ID: t4
-- Revises: m3
-- Create Date: 2026-01-01 00:00:00

-- migrate:up transaction:false
CREATE TABLE t4 (id INTEGER);
INSERT INTO t4 (id) VALUES (4)

-- migrate:down transaction:false
DROP TABLE t4;
EOF
# SQLite's [identifier] with a quote in it: text PostgreSQL's lexer (the
# splitter) cannot split; the script ends it with a ";" line
cat >"$T/revs/q6_x.sql" <<'EOF'
-- sqlite syntax
--
-- Revision ID: q6
-- Revises: z5
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE q6 (id INTEGER);

-- migrate:up dialect:sqlite
CREATE TABLE [q6'x] (id INTEGER)
EOF
make_app "$T/revs" "$T/small"
app=$T/small
s_off=$(new_db soff)
s_on=$(new_db son)
offline "$T/s1.sql" up t4
grep -qF "INSERT INTO t4 (id) VALUES (4);" "$T/s1.sql" ||
    fail "the last statement of t4 was not given its ';'"
grep -qF "'started', NULL);" "$T/s1.sql" || fail "no started row for t4"
compare "$T/s1.sql" "$s_off" "$s_on" up t4
refused "$T/s1.sql" "$s_off" "this database is not at base"
# down through the merge, to one branch of it
offline "$T/s2.sql" down t4:a2
compare "$T/s2.sql" "$s_off" "$s_on" down a2
# a stamp that adds a branch
s3_off=$(new_db s3off)
s3_on=$(new_db s3on)
offline "$T/s3.sql" up a2
compare "$T/s3.sql" "$s3_off" "$s3_on" up a2
offline "$T/s4.sql" stamp a2:b2
compare "$T/s4.sql" "$s3_off" "$s3_on" stamp b2

# the dialect from the database URL, which is not opened
run env DATABASE_URL=postgresql://nobody@nowhere.invalid/x "$app" --sql up r1
expect_status 0
head -1 "$OUT" | grep -q ' on postgresql$' || fail "dialect of DATABASE_URL: $(head -1 "$OUT")"
run "$app" -d "sqlite:$T/no/such/dir/x.db" --sql up r1
expect_status 0
head -1 "$OUT" | grep -q ' on sqlite$' || fail "dialect of -d: $(head -1 "$OUT")"
[ ! -e "$T/no" ] || fail "--sql created something"

q_off=$(new_db qoff)
q_on=$(new_db qon)
offline "$T/q6.sql" up q6
compare "$T/q6.sql" "$q_off" "$q_on" up q6

# bad input: exit 2, nothing on stdout
bad() {
    local msg=$1
    shift
    run env -u DATABASE_URL "$@"
    expect_status 2
    expect_err "$msg"
    [ ! -s "$OUT" ] || fail "$* printed on stdout"
}
bad "--sql needs a dialect" "$app" --sql up
bad 'unknown dialect "oracle"' "$app" --sql up --dialect oracle
bad "unsupported database URL scheme" "$app" --sql up -d mysql://x
bad "down --sql needs START:END" "$app" --sql down a2 --dialect sqlite
bad "down --sql needs START:END" "$app" --sql down :base --dialect sqlite
bad 'invalid range "r1:a2:m3"' "$app" --sql up r1:a2:m3 --dialect sqlite
bad 'no such revision or branch "zzz"' "$app" --sql up zzz:m3 --dialect sqlite
bad '"zzz" is the start' "$app" --sql up zzz:m3 --dialect sqlite
bad 'no such revision or branch "zzz"' "$app" --sql up r1:zzz --dialect sqlite
bad 'the start "heads" names 2 revisions' "$app" --sql down heads:base --dialect sqlite
bad '"-1" cannot be used with up' "$app" --sql up r1:-1 --dialect sqlite
bad "is not applied" "$app" --sql down a2:b2 --dialect sqlite
bad '"r1:" names no stamp target' "$app" --sql stamp r1: --dialect sqlite
bad "stamp --sql has two starts, r1 and a2" "$app" --sql stamp r1:b2 a2:b2 --dialect sqlite
bad "--sql is for up, down and stamp" "$app" --sql current --dialect sqlite
bad "--sql is for up, down and stamp" "$app" --sql history --dialect sqlite
bad "--sql is for up, down and stamp" "$app" sql r1 --sql
bad "--dialect is for sql, and for up with --sql" "$app" up --dialect sqlite
for opt in "--wait 1" "--group-commit 1" "--format json"; do
    # shellcheck disable=SC2086
    bad "${opt%% *} means nothing with --sql" "$app" --sql up r1 $opt --dialect sqlite
done
bad "--purge means nothing with --sql" "$app" --sql stamp r1 --purge --dialect sqlite
bad "--single-transaction cannot run revision t4: its section is transaction:false" "$app" --sql up --single-transaction --dialect "$dialect"
bad "--schema is for PostgreSQL databases" "$app" --sql up --schema s --dialect sqlite
echo ok

#!/usr/bin/env bash
# runtime_basic.sh -- up, down, current, history, heads, manifest, verify
# on a real database (SQLite file or PostgreSQL), text and JSON, and the
# sample application.
. "$(dirname "$0")/lib.sh"

revision a1 "" "create projects" "CREATE TABLE projects (id INTEGER PRIMARY KEY);" "DROP TABLE projects;"
revision b2 a1 "create users" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);" "DROP TABLE users;"
revision c3 b2 "add role" "ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
CREATE INDEX ix_users_role ON users (role);" "DROP INDEX ix_users_role;
ALTER TABLE users DROP COLUMN role;"
make_app "$T/revs" "$T/app" --default-db "sqlite:$T/default.db"
db=$(new_db app)

# a read command on an empty database creates nothing
empty=$(dump "$db")
run "$T/app" -d "$db" current
expect_status 0
[ ! -s "$OUT" ] || fail "current on an empty database printed something"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    [ ! -e "$T/app.db" ] || fail "current created the database file"
fi
[ "$empty" = "$(dump "$db")" ] || fail "current wrote to the database"
[ "$(dump "$db" | grep -c migbundle || true)" = 0 ] ||
    fail "current created the version table"

run "$T/app" -d "$db" up
expect_status 0
expect_err "applying a1 (a1_x.sql): create projects"
expect_err "applied 3 revisions"
run sql "$db" "SELECT revision, length(checksum), bundle_digest FROM migbundle_version ORDER BY revision"
expect_status 0
[ "$(wc -l <"$OUT")" = 3 ] || fail "expected 3 version rows"
digest=$("$T/app" manifest --format json | sed -n 's/.*"bundle_digest": "\([0-9a-f]*\)".*/\1/p')
[ ${#digest} = 32 ] || fail "no bundle digest in the manifest"
grep -q "^a1|32|$digest$" "$OUT" || fail "version row lacks checksum or digest"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    applied_at=$(sql "$db" "SELECT applied_at FROM migbundle_version WHERE revision='a1'")
else # a timestamptz, shown in UTC
    applied_at=$(sql "$db" "SELECT to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM migbundle_version WHERE revision='a1'")
    [ "$(sql "$db" "SELECT data_type FROM information_schema.columns WHERE table_name = 'migbundle_version' AND column_name = 'applied_at'")" = \
      "timestamp with time zone" ] || fail "applied_at is not a timestamptz"
fi
[[ "$applied_at" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$ ]] ||
    fail "applied_at is not UTC ISO-8601: $applied_at"
[ "$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE direction='up' AND outcome='ok'")" = 3 ] ||
    fail "expected 3 ok log rows"

run "$T/app" -d "$db" current
expect_status 0
[ "$(cat "$OUT")" = "c3 (head)" ] || fail "current: $(cat "$OUT")"
run "$T/app" -d "$db" current --format json
expect_out '"revision": "c3"'
expect_out '"is_head": true'
expect_out '"applied": 3'

# at head: nothing to do, nothing written
before=$(dump "$db")
run "$T/app" -d "$db" up
expect_status 0
expect_err "nothing to do"
[ "$before" = "$(dump "$db")" ] || fail "a no-op up changed the database"

run "$T/app" history
expect_status 0
[ "$(sed -n 1p "$OUT")" = "b2 -> c3 (head), add role" ] || fail "history line 1"
[ "$(sed -n 3p "$OUT")" = "<base> -> a1, create projects" ] || fail "history line 3"
run "$T/app" history --format json
expect_out '"revision": "c3"'
run "$T/app" heads
[ "$(cat "$OUT")" = "c3 (head)" ] || fail "heads: $(cat "$OUT")"
run "$T/app" heads --format json
expect_out '"revises": ["b2"]'

run "$T/app" manifest
expect_status 0
expect_out "revisions: 3"
expect_out "default-db: sqlite:$T/default.db"
run "$T/app" -d "$db" verify
expect_status 0
expect_out "bundle: ok (3 revisions"
expect_out "database: ok (3 applied revisions match the bundle)"
run "$T/app" -d "$db" verify --format json
expect_out '"ok": true}'

# down -1, a revision, base; up +1; each recorded in the log
run "$T/app" -d "$db" down
expect_status 0
expect_err "rolling back c3"
! sql "$db" "SELECT role FROM users" >/dev/null 2>&1 ||
    fail "down did not drop the role column"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    [ "$(sql "$db" "SELECT count(*) FROM pragma_table_info('users') WHERE name='role'")" = 0 ] ||
        fail "down did not drop the role column"
else
    [ "$(sql "$db" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role'")" = 0 ] ||
        fail "down did not drop the role column"
fi
run "$T/app" -d "$db" up +1
expect_status 0
run "$T/app" -d "$db" down a1
expect_status 0
[ "$("$T/app" -d "$db" current)" = "a1" ] || fail "down a1 did not stop at a1"
run "$T/app" -d "$db" downgrade base
expect_status 0
[ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 0 ] ||
    fail "down base left version rows"
! sql "$db" "SELECT 1 FROM projects" >/dev/null 2>&1 || fail "down base left projects"
! sql "$db" "SELECT 1 FROM users" >/dev/null 2>&1 || fail "down base left users"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    [ "$(sql "$db" "SELECT count(*) FROM sqlite_master WHERE name IN ('projects','users')")" = 0 ] ||
        fail "down base left tables"
else
    [ "$(sql "$db" "SELECT count(*) FROM pg_catalog.pg_class WHERE relname IN ('projects', 'users', 'ix_users_role')")" = 0 ] ||
        fail "down base left tables"
fi
run "$T/app" -d "$db" upgrade head
expect_status 0

log=$(sql "$db" "SELECT direction || ':' || revision FROM migbundle_log WHERE outcome = 'ok' ORDER BY id" | tr '\n' ' ')
log=${log% }
[ "$log" = "up:a1 up:b2 up:c3 down:c3 up:c3 down:c3 down:b2 down:a1 up:a1 up:b2 up:c3" ] ||
    fail "log rows: $log"
# the log is append-only
run sql "$db" "DELETE FROM migbundle_log"
[ "$STATUS" != 0 ] || fail "the log accepted a DELETE"
expect_err "append-only"
run sql "$db" "UPDATE migbundle_log SET outcome = 'ok'"
[ "$STATUS" != 0 ] || fail "the log accepted an UPDATE"
expect_err "append-only"

# URL precedence: -d, then DATABASE_URL, then the bundled default
envdb=$(new_db env)
DATABASE_URL=$envdb run "$T/app" up
expect_status 0
[ "$(sql "$envdb" "SELECT count(*) FROM migbundle_version")" = 3 ] ||
    fail "DATABASE_URL was not used"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    run "$T/app" up
    expect_status 0
    [ -f "$T/default.db" ] || fail "the bundled default database was not used"
    run "$T/app" -d sqlite::memory: up
    expect_status 0
    expect_err "applied 3 revisions"
else # a PostgreSQL URL baked in as the default
    defdb=$(new_db default)
    make_app "$T/revs" "$T/app.pgdefault" --default-db "$defdb"
    run env -u DATABASE_URL "$T/app.pgdefault" up
    expect_status 0
    [ "$(sql "$defdb" "SELECT count(*) FROM migbundle_version")" = 3 ] ||
        fail "the bundled default database was not used"
fi

# the sample application bundled by the build
cd "$T"
sample=$(new_db sample)
run "$APP_MIGRATE" -d "$sample" up
expect_status 0
run "$APP_MIGRATE" -d "$sample" verify
expect_status 0
run "$APP_MIGRATE" -d "$sample" down base
expect_status 0
run "$APP_MIGRATE" -d "$sample" up
expect_status 0
echo "ok"

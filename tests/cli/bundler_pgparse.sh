#!/usr/bin/env bash
# bundler_pgparse.sh -- PostgreSQL's parser in the bundler: build refuses
# a syntax error at FILE:LINE:COLUMN (exit 1, nothing written), SQL that
# only SQLite runs is not parsed, build does not lint (check does), and
# libpg_query is in migbundle only, never in app-migrate.
# (tests/bad_input/syntax_error_* have check's exact messages.)
. "$(dirname "$0")/lib.sh"

write() { # write FILE: the revision on stdin, with a header for id a1
    mkdir -p "$(dirname "$1")"
    {
        printf -- '-- tags\n--\n-- Revision ID: a1\n-- Revises:\n'
        printf -- '-- Create Date: 2026-01-01 00:00:00\n\n'
        cat
    } >"$1"
}

# SQLite-only SQL in a generic section that PostgreSQL never runs (it has
# its own), and in a dialect:sqlite section: both build.
write "$T/ok/a1_x.sql" <<'SQL'
-- migrate:up
CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);

-- migrate:down
DROP TABLE tags;

-- migrate:up dialect:postgresql
CREATE TABLE tags (id integer GENERATED ALWAYS AS IDENTITY, name text);

-- migrate:down dialect:sqlite
DROP TABLE IF EXISTS tags; PRAGMA optimize;
INSERT OR REPLACE INTO nowhere VALUES (1);
SQL
run "$MIGBUNDLE" build "$T/ok" -o "$T/ok.c"
expect_status 0
[ ! -s "$ERR" ] || fail "a clean build printed"

# The same generic section without its PostgreSQL replacement: exit 1 at
# the column of AUTOINCREMENT, and no output file.
write "$T/bad/a1_x.sql" <<'SQL'
-- migrate:up
CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);

-- migrate:down
DROP TABLE tags;
SQL
run "$MIGBUNDLE" build "$T/bad" -o "$T/bad.c"
expect_status 1
cat >"$T/want" <<EOF
migbundle: error: $T/bad/a1_x.sql:8:43: syntax error at or near "AUTOINCREMENT"
migbundle: hint: this generic section also runs on PostgreSQL (PostgreSQL 15's parser refuses it): fix it, or give PostgreSQL its own "-- migrate:up dialect:postgresql" section
EOF
diff -u "$T/want" "$ERR" || fail "build's syntax error differs"
[ ! -e "$T/bad.c" ] || fail "a failed build wrote its output"

# build checks the syntax but does not lint: the lint is check's.
write "$T/lint/a1_x.sql" <<'SQL'
-- migrate:up
CREATE INDEX ix_users_email ON users (email);

-- migrate:down
DROP INDEX ix_users_email;
SQL
run "$MIGBUNDLE" build "$T/lint" -o "$T/lint.c"
expect_status 0
[ ! -s "$ERR" ] || fail "build printed lint findings"
# (a fragment: users is not created here, so no replay on SQLite)
run "$MIGBUNDLE" check --no-sqlite "$T/lint"
expect_status 0
expect_err "[require-concurrent-index-creation]"
run "$MIGBUNDLE" check --no-sqlite --strict "$T/lint"
expect_status 1
expect_err "migbundle: error: $T/lint/a1_x.sql:8: [require-concurrent-index-creation]"
run "$MIGBUNDLE" check --strict --frobnicate "$T/lint"
expect_status 2
expect_err 'unrecognized option "--frobnicate"'

# libpg_query is linked into migbundle, and nothing of it into app-migrate
# (by symbol, and no shared library of it either).
# (nm to files: grep -q closing the pipe early would fail it, pipefail)
nm "$MIGBUNDLE" >"$T/nm.migbundle"
nm "$APP_MIGRATE" >"$T/nm.app"
grep -q ' T pg_query_parse$' "$T/nm.migbundle" ||
    fail "migbundle has no pg_query_parse: is nm reading symbols?"
grep -q ' T main$' "$T/nm.app" || fail "app-migrate has no symbol table"
# (libpg_query's API is pg_query_*, its protobuf code protobuf_c_*; the
# PostgreSQL backend's own static pg_query() is not of it)
if grep -E ' (pg_query_|protobuf_c_|raw_parser$)' "$T/nm.app"; then
    fail "app-migrate contains libpg_query symbols (above)"
fi
if readelf -d "$MIGBUNDLE" "$APP_MIGRATE" | grep -i 'NEEDED.*pg_query'; then
    fail "a libpg_query shared library is needed at run time (above)"
fi
echo "ok"

#!/usr/bin/env bash
# bundler_stairway.sh -- migbundle check replays every revision: up, down,
# up again, on in-memory SQLite and, with --db, on PostgreSQL.
#
# Run once per backend. With MB_TEST_BACKEND=sqlite the cases run on the
# in-memory SQLite database, plus the refusals of --db that need no
# server; with postgres each case also gets a new database for --db, and
# the down under test is a `dialect:postgresql` section (a correct
# generic one serves SQLite), so that the failure is PostgreSQL's.
. "$(dirname "$0")/lib.sh"

pg() { [ "$MB_TEST_BACKEND" = postgres ]; }
if pg; then
    LABEL=postgresql
    S=public. # how PostgreSQL's objects are named
else
    LABEL=sqlite
    S=
fi

# rev_file ID PARENTS MESSAGE <BODY: $T/revs/ID_x.sql, its header then BODY
rev_file() {
    mkdir -p "$T/revs"
    {
        printf -- '-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n' \
            "$3" "$1" "$2"
        printf -- '-- Create Date: 2026-01-01 00:00:00\n\n'
        cat
    } >"$T/revs/$1_x.sql"
}

# stair ID PARENT UP DOWN [SQLITE_DOWN]: $T/revs/ID_x.sql whose down
# section under test is DOWN (with postgres a dialect:postgresql section,
# SQLITE_DOWN the generic one; DOWN itself when not given). Without DOWN
# (""), no down section at all.
stair() {
    local id=$1 parent=$2 up=$3 down=$4 lite=${5:-$4}
    {
        printf -- '-- migrate:up\n%s\n' "$up"
        if [ -n "$down" ] && pg; then
            printf -- '\n-- migrate:down dialect:postgresql\n%s\n' "$down"
            printf -- '\n-- migrate:down\n%s\n' "$lite"
        elif [ -n "$down" ]; then
            printf -- '\n-- migrate:down\n%s\n' "$down"
        fi
    } | rev_file "$id" "$parent" "$id"
}

# line_of ID TEXT: the first line of ID's file that is exactly TEXT
line_of() {
    grep -nxF -- "$2" "$T/revs/$1_x.sql" | head -n 1 | cut -d: -f1
}

# check_revs: migbundle check on $T/revs (with postgres, --db a new one)
check_revs() {
    if pg; then
        run "$MIGBUNDLE" check "$T/revs" --db "$(new_db "s$RANDOM")"
    else
        run "$MIGBUNDLE" check "$T/revs"
    fi
}

# A base table every case builds on.
base() {
    rm -rf "$T/revs"
    stair a1 "" "CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT DEFAULT 'a');" \
        "DROP TABLE t;"
}

# expect_not_restored [pg]: the down of b2 does not restore the schema;
# the error is at its marker (pg: the dialect:postgresql one)
expect_not_restored() {
    local marker
    marker=$(line_of b2 "-- migrate:down${1:+ dialect:postgresql}")
    expect_status 1
    expect_err "migbundle: error: $T/revs/b2_x.sql:$marker: stairway $LABEL: the down section of revision b2 does not restore the schema"
    expect_err "migbundle: hint: make the down section undo exactly what the up section does"
}
marker_kind() { if pg; then echo pg; fi; }

# pg_leaves MESSAGE <UP: revision b2 runs UP on PostgreSQL (nothing on
# SQLite) and has a down that undoes nothing: its stairway on PostgreSQL
# fails at the down marker
pg_leaves() {
    {
        printf -- '-- migrate:up dialect:postgresql\n'
        cat
        printf -- '\n-- migrate:up dialect:sqlite\nSELECT 1;\n'
        printf -- '\n-- migrate:down\nSELECT 2;\n'
    } | rev_file b2 a1 "$1"
    check_revs
    expect_not_restored
}

# --- the sample passes, on every database ----------------------------------
if pg; then
    run "$MIGBUNDLE" check "$MB_SOURCE_DIR/samples/migrations" --db "$(new_db sample)"
else
    run "$MIGBUNDLE" check "$MB_SOURCE_DIR/samples/migrations"
fi
expect_status 0
n=$(find "$MB_SOURCE_DIR/samples/migrations" -name '*.sql' | wc -l)
expect_err "migbundle: stairway sqlite: $n revisions up/down/up ok"
if pg; then
    expect_err "migbundle: stairway postgresql: $n revisions up/down/up ok"
fi
[ ! -s "$OUT" ] || fail "check printed on stdout"

# --- a down that forgets an index ------------------------------------------
base
stair b2 a1 "CREATE INDEX ix_t_c ON t (c);" "SELECT 1;" "DROP INDEX ix_t_c;"
check_revs
expect_not_restored "$(marker_kind)"
if pg; then
    expect_err "migbundle: detail: index public.ix_t_c: left behind: CREATE INDEX ix_t_c ON public.t USING btree (c)"
    expect_err "migbundle: stairway sqlite: 2 revisions up/down/up ok"
else
    expect_err "migbundle: detail: index ix_t_c: left behind: CREATE INDEX ix_t_c ON t (c)"
fi

# --- a column and a table the down leaves (it recreates t with role) ------
base
stair b2 a1 "ALTER TABLE t ADD COLUMN role VARCHAR(50) NOT NULL DEFAULT 'member';
CREATE TABLE u (id INTEGER);
CREATE INDEX ix_t_role ON t (role);" "DROP INDEX ix_t_role;
DROP TABLE t;
CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT DEFAULT 'a', role VARCHAR(50) NOT NULL DEFAULT 'member');" \
"DROP INDEX ix_t_role;
DROP TABLE u;
ALTER TABLE t DROP COLUMN role;"
check_revs
expect_not_restored "$(marker_kind)"
if pg; then
    expect_err "migbundle: detail: column public.t.role: left behind: character varying(50) NOT NULL DEFAULT 'member'::character varying"
    # what belongs to a table left behind is told on the table's line
    expect_err "migbundle: detail: table public.u: left behind, with 1 object of its own (column)"
else
    expect_err "migbundle: detail: column t.role: left behind: VARCHAR(50) NOT NULL DEFAULT 'member'"
    expect_err "migbundle: detail: table u: left behind, with 1 object of its own (column)"
fi
! grep -qF "column ${S}u.id" "$ERR" || fail "a column of a table left behind has a line"

# --- more differences than a message holds: the rest counted --------------
base
up=""
for i in $(seq 10 39); do up="$up CREATE TABLE many_$i (id INTEGER);"; done
stair b2 a1 "$up" "SELECT 1;" "$(echo "$up" | sed 's/CREATE TABLE \(many_[0-9]*\) ([^)]*)/DROP TABLE \1/g')"
check_revs
expect_not_restored "$(marker_kind)"
shown=$(grep -c "^migbundle: detail: table ${S}many_" "$ERR")
more=$(sed -n 's/^migbundle: detail: and \([0-9]*\) more differences$/\1/p' "$ERR")
[ -n "$more" ] && [ $((shown + more)) = 30 ] ||
    fail "30 tables left behind: $shown shown, \"$more\" more"

# --- a down that drops what it did not make --------------------------------
base
stair b2 a1 "CREATE TABLE u (id INTEGER);" "DROP TABLE u;
DROP TABLE t;" "DROP TABLE u;"
check_revs
expect_not_restored "$(marker_kind)"
if pg; then
    expect_err "migbundle: detail: table public.t: gone (before the up), with 4 objects of its own (column, constraint, index)"
else
    expect_err "migbundle: detail: table t: gone (before the up), with 2 objects of its own (column)"
fi

# --- a changed default, a changed type --------------------------------------
base
stair b2 a1 "ALTER TABLE t DROP COLUMN c;
ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'b';" "ALTER TABLE t DROP COLUMN c;
ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'z';" "ALTER TABLE t DROP COLUMN c;
ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'a';"
check_revs
expect_not_restored "$(marker_kind)"
if pg; then
    expect_err "migbundle: detail: column public.t.c: changed: before the up: text DEFAULT 'a'::text; after the down: text DEFAULT 'z'::text"
else
    expect_err "migbundle: detail: column t.c: changed: before the up: TEXT DEFAULT 'a'; after the down: TEXT DEFAULT 'z'"
fi
base
stair b2 a1 "ALTER TABLE t DROP COLUMN c;
ALTER TABLE t ADD COLUMN c INTEGER;" "ALTER TABLE t DROP COLUMN c;
ALTER TABLE t ADD COLUMN c VARCHAR(10) DEFAULT 'a';" "ALTER TABLE t DROP COLUMN c;
ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'a';"
check_revs
expect_not_restored "$(marker_kind)"
if pg; then
    expect_err "migbundle: detail: column public.t.c: changed: before the up: text DEFAULT 'a'::text; after the down: character varying(10) DEFAULT 'a'::character varying"
else
    expect_err "migbundle: detail: column t.c: changed: before the up: TEXT DEFAULT 'a'; after the down: VARCHAR(10) DEFAULT 'a'"
fi

# --- a down that fails: FILE:LINE of its statement -------------------------
base
stair b2 a1 "CREATE TABLE u (id INTEGER);" "DROP TABLE u;
DROP TABLE no_such_table;" "DROP TABLE u;"
check_revs
expect_status 1
line=$(line_of b2 "DROP TABLE no_such_table;")
if pg; then
    expect_err "migbundle: error: $T/revs/b2_x.sql:$line: stairway postgresql: down of revision b2 failed: table \"no_such_table\" does not exist"
    expect_err "migbundle: detail: SQLSTATE 42P01"
else
    expect_err "migbundle: error: $T/revs/b2_x.sql:$line: stairway sqlite: down of revision b2 failed: no such table: no_such_table"
fi
expect_err "migbundle: detail: statement: DROP TABLE no_such_table;"

# --- a down that leaves a row the second up trips over ---------------------
base
stair b2 a1 "INSERT INTO t (id, c) VALUES (1, 'seed');" "DELETE FROM t WHERE id = 2;" \
    "DELETE FROM t WHERE id = 1;"
check_revs
expect_status 1
line=$(line_of b2 "INSERT INTO t (id, c) VALUES (1, 'seed');")
if pg; then
    expect_err "migbundle: error: $T/revs/b2_x.sql:$line: stairway postgresql: second up of revision b2 failed: duplicate key value violates unique constraint \"t_pkey\""
else
    expect_err "migbundle: error: $T/revs/b2_x.sql:$line: stairway sqlite: second up of revision b2 failed: UNIQUE constraint failed: t.id"
fi
expect_err "migbundle: hint: the down section left something behind that the up section trips over"

# --- an irreversible revision: noted, the replay goes on -------------------
base
stair b2 a1 "CREATE TABLE u (id INTEGER);" ""
stair c3 b2 "CREATE TABLE w (id INTEGER);" "DROP TABLE w;"
check_revs
expect_status 0
expect_err "migbundle: warning: $T/revs/b2_x.sql:3: revision \"b2\" is irreversible"
expect_err "migbundle: note: $T/revs/b2_x.sql:3: stairway sqlite: revision b2 has no down section for sqlite: its up ran, down and up again were not tested"
expect_err "migbundle: stairway sqlite: 2 revisions up/down/up ok, 1 irreversible (up only)"
if pg; then
    expect_err "migbundle: stairway postgresql: 2 revisions up/down/up ok, 1 irreversible (up only)"
fi

# --- a down for one dialect only, and branches in Alembic's order ---------
base
rev_file b2 a1 "pg only down" <<'EOF'
-- migrate:up
CREATE TABLE u (id INTEGER);

-- migrate:down dialect:postgresql
DROP TABLE u;
EOF
stair c3 a1 "CREATE TABLE w (id INTEGER);" "DROP TABLE w;"
stair d4 "b2, c3" "CREATE TABLE m (id INTEGER);" "DROP TABLE m;"
check_revs
expect_status 0
expect_err "migbundle: note: $T/revs/b2_x.sql:3: stairway sqlite: revision b2 has no down section for sqlite"
expect_err "migbundle: stairway sqlite: 3 revisions up/down/up ok, 1 irreversible (up only)"
if pg; then
    expect_err "migbundle: stairway postgresql: 4 revisions up/down/up ok"
fi

# --- --no-sqlite: SQL that only PostgreSQL runs ----------------------------
rm -rf "$T/revs"
stair a1 "" "CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE t (id serial PRIMARY KEY, m mood);" "DROP TABLE t;
DROP TYPE mood;"
run "$MIGBUNDLE" check "$T/revs"
expect_status 1
expect_err "stairway sqlite: up of revision a1 failed"
if pg; then
    run "$MIGBUNDLE" check --no-sqlite "$T/revs" --db "$(new_db nosqlite)"
    expect_status 0
    expect_err "migbundle: stairway postgresql: 1 revision up/down/up ok"
else
    run "$MIGBUNDLE" check --no-sqlite "$T/revs"
    expect_status 0
    [ ! -s "$ERR" ] || fail "check --no-sqlite without --db replayed"
fi
! grep -qF "stairway sqlite" "$ERR" || fail "--no-sqlite replayed on SQLite"

if pg; then
    # --- PostgreSQL's own objects, transaction:false sections ---------------
    base
    rev_file b2 a1 "enum and domain types" <<'EOF'
-- migrate:up dialect:postgresql
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE SEQUENCE s START 5;
CREATE VIEW v AS SELECT id FROM t;
CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + 1 $$;

-- migrate:up dialect:sqlite
CREATE TABLE lite (id INTEGER);

-- migrate:down dialect:postgresql
DROP FUNCTION f(integer);
DROP VIEW v;
DROP SEQUENCE s;

-- migrate:down dialect:sqlite
DROP TABLE lite;
EOF
    check_revs
    expect_not_restored pg
    expect_err "migbundle: detail: type public.mood: left behind: ENUM ('sad', 'ok')"
    expect_err "migbundle: detail: type public.posint: left behind: DOMAIN integer, with 1 object of its own (constraint)"

    base
    pg_leaves "sequences, views, functions, triggers" <<'EOF'
CREATE SEQUENCE s START 5;
CREATE VIEW v AS SELECT id FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one;
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
EOF
    expect_err "migbundle: detail: sequence public.s: left behind: AS bigint INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 5 CACHE 1"
    expect_err "migbundle: detail: view public.v: left behind: SELECT t.id FROM t;"
    expect_err "migbundle: detail: materialized view public.mv: left behind: SELECT 1 AS one;"
    expect_err "migbundle: detail: function public.trg(): left behind: CREATE OR REPLACE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS"
    expect_err "migbundle: detail: trigger public.t.tr: left behind: CREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION trg()"

    base
    pg_leaves "row-level security, a collation" <<'EOF'
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON t USING (id > 0);
ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C";
EOF
    expect_err "migbundle: detail: column public.t.c: changed: before the up: text DEFAULT 'a'::text; after the down: text COLLATE \"C\" DEFAULT 'a'::text"
    expect_err "migbundle: detail: policy public.t.own: left behind: PERMISSIVE FOR ALL TO PUBLIC USING ((id > 0))"
    expect_err "migbundle: detail: table public.t: changed: before the up: (empty); after the down: ROW LEVEL SECURITY"

    base
    rev_file b2 a1 "a concurrent index" <<'EOF'
-- migrate:up dialect:postgresql transaction:false
CREATE INDEX CONCURRENTLY ix_t_c ON t (c);

-- migrate:up dialect:sqlite
CREATE INDEX ix_t_c ON t (c);

-- migrate:down dialect:postgresql transaction:false
DROP INDEX CONCURRENTLY ix_t_c;

-- migrate:down dialect:sqlite
DROP INDEX ix_t_c;
EOF
    check_revs
    expect_status 0
    expect_err "migbundle: stairway postgresql: 2 revisions up/down/up ok"

    # --- a database that is not empty: exit 2, nothing written -------------
    db=$(new_db busy)
    sql "$db" "CREATE TABLE existing (id integer)"
    dump "$db" >"$T/before.dump"
    run "$MIGBUNDLE" check "$MB_SOURCE_DIR/samples/migrations" --db "$db"
    expect_status 2
    expect_err "migbundle: error: the stairway needs an empty database; this one has 2 objects"
    expect_err "migbundle: detail: table public.existing"
    expect_err "migbundle: detail: database URL: $db"
    ! grep -qF "stairway sqlite" "$ERR" || fail "the replay ran before the refusal"
    dump "$db" >"$T/after.dump"
    cmp -s "$T/before.dump" "$T/after.dump" || fail "the refused database changed"
    # migbundle's own tables count too
    db=$(new_db applied)
    make_app "$MB_SOURCE_DIR/samples/migrations" "$T/app"
    "$T/app" -q -d "$db" up heads
    "$T/app" -q -d "$db" down base
    run "$MIGBUNDLE" check "$MB_SOURCE_DIR/samples/migrations" --db "$db"
    expect_status 2
    expect_err "table public.migbundle_log"
    expect_err "table public.migbundle_version"
    # the sample's PostgreSQL database is left at the heads (postgres://
    # works as postgresql:// does)
    db=$(new_db heads)
    run "$MIGBUNDLE" check "$MB_SOURCE_DIR/samples/migrations" --db "postgres:${db#postgresql:}"
    expect_status 0
    [ "$(sql "$db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 3 ] ||
        fail "the scratch database is not at the heads"
    echo ok
    exit 0
fi

# --- --db refusals that need no server (exit 2, nothing run) ---------------
sample=$MB_SOURCE_DIR/samples/migrations
run "$MIGBUNDLE" check "$sample" --db "sqlite:$T/x.db"
expect_status 2
expect_err "migbundle: error: --db takes a PostgreSQL database"
expect_err "migbundle: detail: database URL: sqlite:$T/x.db"
[ ! -e "$T/x.db" ] || fail "check created $T/x.db"
run "$MIGBUNDLE" check "$sample" --db "mysql://u:s3ntinel@h/db"
expect_status 2
expect_err "migbundle: error: unsupported database URL scheme"
expect_err "migbundle: detail: database URL: mysql://u:***@h/db"
run "$MIGBUNDLE" check "$sample" --db "postgresql://h:notaport/db"
expect_status 2
expect_err 'invalid integer value "notaport" for connection option "port"'
mkdir "$T/nosock"
run "$MIGBUNDLE" check "$sample" --db "postgresql://u:s3ntinel@/db?host=$T/nosock&port=5999"
expect_status 2
expect_err "$T/nosock/.s.PGSQL.5999"
expect_err "migbundle: detail: database URL: postgresql://u:***@/db?host=$T/nosock&port=5999"
expect_err "migbundle: hint: --db needs a PostgreSQL server that accepts connections"
! grep -qF -- --wait "$ERR" || fail "the hint names app-migrate's --wait"
! grep -qF s3ntinel "$ERR" || fail "a password was printed"
! grep -qF "stairway sqlite" "$ERR" || fail "the replay ran before the refusal"
run "$MIGBUNDLE" check "$sample" --db
expect_status 2
expect_err 'migbundle: error: option "--db" requires an argument'
echo ok

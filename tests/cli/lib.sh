# lib.sh -- helpers for the shell tests (sourced, not run).
#
# Every test gets a scratch directory $T removed on exit, and these
# helpers:
#   fail MSG            print MSG and exit 1
#   run CMD...          run CMD, capture $OUT/$ERR (files) and $STATUS
#   expect_status N     the last run exited N
#   expect_err TEXT     the last run's stderr contains TEXT (fixed string)
#   expect_out TEXT     the last run's stdout contains TEXT
#   expect_stdout       the last run's stdout is exactly the text on stdin
#   make_app DIR EXE    bundle DIR and link it into the executable EXE
#   revision ID PARENT MESSAGE UP [DOWN]   write $T/revs/ID_x.sql
#   fault_build EXE     EXE (an app-migrate) was built with the fault
#                       points of MIGBUNDLE_FAULT_INJECTION (mb/fault.h)
#
# and, for the tests that run on both backends (MB_TEST_BACKEND=sqlite or
# postgres; the PostgreSQL server comes from the ctest fixture, its
# settings in $MB_PG_STATE/env):
#   new_db NAME         a fresh, empty database; prints its URL
#   sql URL QUERY       run QUERY, print rows as a|b|c lines
#   dump URL            a canonical dump for before/after comparisons
#                       (schema and data; "" for a missing SQLite file)
#   db_exists URL       the database exists (SQLite: the file)
set -euo pipefail
T=$(mktemp -d)
MB_TEST_BACKEND=${MB_TEST_BACKEND:-sqlite}
if [ "$MB_TEST_BACKEND" = postgres ]; then
    # shellcheck disable=SC1091
    . "${MB_PG_STATE:?the postgres tests need the pg fixture}/env"
    export PGHOST=$MB_PG_SOCKET PGPORT=$MB_PG_PORT PGUSER=$MB_PG_USER
    export PGDATABASE=postgres
    unset PGPASSWORD
fi

mb_cleanup() {
    local db
    if [ -f "$T/pg_databases" ]; then
        while read -r db; do
            dropdb --if-exists --force "$db" >/dev/null 2>&1 || true
        done <"$T/pg_databases"
    fi
    rm -rf "$T"
}
trap mb_cleanup EXIT
OUT=$T/stdout
ERR=$T/stderr
STATUS=0

fail() {
    echo "FAIL: $*" >&2
    if [ -f "$ERR" ]; then echo "--- stderr:" >&2; cat "$ERR" >&2; fi
    if [ -f "$OUT" ]; then echo "--- stdout:" >&2; cat "$OUT" >&2; fi
    exit 1
}

run() {
    set +e
    "$@" >"$OUT" 2>"$ERR"
    STATUS=$?
    set -e
}

expect_status() {
    [ "$STATUS" = "$1" ] || fail "exit status $STATUS, expected $1"
}

expect_err() {
    grep -qF -- "$1" "$ERR" || fail "stderr lacks: $1"
}

expect_out() {
    grep -qF -- "$1" "$OUT" || fail "stdout lacks: $1"
}

expect_stdout() {
    cat >"$T/expected"
    diff -u "$T/expected" "$OUT" >&2 || fail "stdout differs (diff above)"
}

make_app() {
    local dir=$1 exe=$2
    shift 2
    "$MIGBUNDLE" build "$dir" -o "$exe.c" "$@" 2>"$T/bundle.err" ||
        { cat "$T/bundle.err" >&2; fail "migbundle build $dir failed"; }
    # shellcheck disable=SC2086
    "$CC" $MB_CFLAGS -o "$exe" "$exe.c" $MB_LIBS ||
        fail "could not link $exe"
}

new_db() {
    local name
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        echo "sqlite:$T/$1.db"
        return
    fi
    name="t_$$_${RANDOM}_$1"
    createdb "$name" || fail "createdb $name failed"
    echo "$name" >>"$T/pg_databases"
    echo "postgresql:///$name?host=$MB_PG_SOCKET&port=$MB_PG_PORT&user=$MB_PG_USER"
}

# The database name of a postgresql:///NAME?... URL.
pg_name() {
    local rest=${1#postgresql:///}
    echo "${rest%%\?*}"
}

sql() {
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        sqlite3 "${1#sqlite:}" "$2"
    else
        psql -XAtq -F'|' -v ON_ERROR_STOP=1 -d "$(pg_name "$1")" -c "$2"
    fi
}

# db_exists URL: the database exists (a SQLite file, or a PostgreSQL
# database on the fixture server)
db_exists() {
    case "$1" in
    sqlite:*) [ -f "${1#sqlite:}" ] ;;
    postgresql:*)
        [ "$(echo "SELECT count(*) FROM pg_database WHERE datname = :'name'" |
              psql -XAt -v ON_ERROR_STOP=1 -d postgres -v name="$(pg_name "$1")")" = 1 ] ;;
    *) [ -f "$1" ] ;;
    esac
}

fault_build() {
    MB_FAULT_TRACE="$T/fault_probe" "$1" -d "sqlite::memory:" current \
        >/dev/null 2>&1 && [ -s "$T/fault_probe" ]
}

dump() {
    local file=${1#sqlite:}
    case "$1" in
    sqlite:*) if [ -f "$file" ]; then sqlite3 "$file" .dump; fi ;;
    postgresql:*)
        # without comments and the random \restrict key of newer pg_dump
        pg_dump --no-owner --no-privileges -d "$(pg_name "$1")" |
            grep -v -e '^--' -e '^$' -e '^\\restrict' -e '^\\unrestrict' ;;
    *) # a bare SQLite file name
        if [ -f "$1" ]; then sqlite3 "$1" .dump; fi ;;
    esac
}

# revision ID PARENTS MESSAGE UP [DOWN]: a revision file in $T/revs
revision() {
    local id=$1 parents=$2 msg=$3 up=$4
    mkdir -p "$T/revs"
    {
        printf -- '-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n' \
            "$msg" "$id" "$parents"
        printf -- '-- Create Date: 2026-01-01 00:00:00\n\n'
        printf -- '-- migrate:up\n%s\n' "$up"
        if [ $# -ge 5 ]; then printf -- '\n-- migrate:down\n%s\n' "$5"; fi
    } >"$T/revs/${id}_x.sql"
}

# lib.sh -- helpers for the shell tests (sourced, not run).
#
# Every test gets a scratch directory $T removed on exit, and these
# helpers:
#   fail MSG            print MSG and exit 1
#   run CMD...          run CMD, capture $OUT/$ERR (files) and $STATUS
#   expect_status N     the last run exited N
#   expect_err TEXT     the last run's stderr contains TEXT (fixed string)
#   expect_out TEXT     the last run's stdout contains TEXT
#   make_app DIR EXE    bundle DIR and link it into the executable EXE
#   dump DB             a canonical dump of a SQLite file ("" if missing)
#   revision ID PARENT MESSAGE UP [DOWN]   write $T/revs/ID_x.sql
set -euo pipefail
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
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

make_app() {
    local dir=$1 exe=$2
    shift 2
    "$MIGBUNDLE" build "$dir" -o "$exe.c" "$@" 2>"$T/bundle.err" ||
        { cat "$T/bundle.err" >&2; fail "migbundle build $dir failed"; }
    # shellcheck disable=SC2086
    "$CC" $MB_CFLAGS -o "$exe" "$exe.c" $MB_LIBS ||
        fail "could not link $exe"
}

dump() {
    if [ -f "$1" ]; then sqlite3 "$1" .dump; fi
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

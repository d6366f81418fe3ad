#!/usr/bin/env bash
# pg_crash.sh -- the PostgreSQL server dies under a run (pg_ctl stop -m
# immediate: sessions cut, no checkpoint), then restarts with crash
# recovery.
#
# The run stops with a clear error (exit 1, "lost the connection ... while
# revision R ran", the server's reason on one line, no SQLSTATE), the
# interrupted revision is not recorded and none of its statements
# survive, the next run (--wait, while the server recovers) finishes at
# head with every revision applied once. A transaction:false section cut
# by the crash keeps its `started` row: the next run refuses until
# `resolve`. Uses a server of its own (MB_PG_DURABLE=1: committed means
# on disk), not the shared fixture.
. "$(dirname "$0")/../cli/lib.sh"

server=$(dirname "$0")/pg_server.sh
MB_PG_DURABLE=1 "$server" start "$T/pg" >/dev/null
trap '"$server" stop "$T/pg" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
# shellcheck disable=SC1091
. "$T/pg/env"
export PGHOST=$MB_PG_SOCKET PGPORT=$MB_PG_PORT PGUSER=$MB_PG_USER PGDATABASE=postgres
url() { echo "postgresql:///$1?host=$MB_PG_SOCKET&port=$MB_PG_PORT&user=$MB_PG_USER"; }

# release 1 sleeps in r2, release 3 in r4's transaction:false section;
# release 2 is the same without the sleeps
mkdir -p "$T/rel1" "$T/rel2" "$T/rel3"
write_release() {
    local dir=$1 sleep=$2 sleep4=$3
    printf -- '-- r1\n--\n-- Revision ID: r1\n-- Revises:\n\n-- migrate:up\nCREATE TABLE ran (rev text);\nINSERT INTO ran VALUES ('"'r1'"');\n\n-- migrate:down\nDROP TABLE ran;\n' >"$dir/r1.sql"
    printf -- '-- r2\n--\n-- Revision ID: r2\n-- Revises: r1\n\n-- migrate:up\nINSERT INTO ran VALUES ('"'r2'"');\nCREATE TABLE t2 (x int);\n%s\n\n-- migrate:down\nDROP TABLE t2;\n' "$sleep" >"$dir/r2.sql"
    printf -- '-- r3\n--\n-- Revision ID: r3\n-- Revises: r2\n\n-- migrate:up\nINSERT INTO ran VALUES ('"'r3'"');\nCREATE TABLE t3 (x int);\n\n-- migrate:down\nDROP TABLE t3;\n' >"$dir/r3.sql"
    printf -- '-- r4\n--\n-- Revision ID: r4\n-- Revises: r3\n\n-- migrate:up transaction:false\nCREATE TABLE t4a (x int);\n%s\nCREATE TABLE t4b (x int);\n\n-- migrate:down transaction:false\nDROP TABLE t4b;\nDROP TABLE t4a;\n' "$sleep4" >"$dir/r4.sql"
}
write_release "$T/rel1" "SELECT pg_sleep(60);" ""
write_release "$T/rel2" "" ""
write_release "$T/rel3" "" "SELECT pg_sleep(60);"
make_app "$T/rel1" "$T/app1"
make_app "$T/rel2" "$T/app2"
make_app "$T/rel3" "$T/app3"

# crash_during APP DB: start APP's up on DB, crash the server while it
# sleeps, restart it; sets $st (the run's exit status)
crash_during() {
    local app=$1 db=$2 up
    "$app" -d "$(url "$db")" up >"$T/a.out" 2>"$T/a.err" &
    up=$!
    for _ in $(seq 1 100); do
        [ -n "$(psql -XAt -d "$db" -c "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()")" ] && break
        sleep 0.1
    done
    "$server" crash "$T/pg"
    set +e
    wait "$up"
    st=$?
    set -e
    "$server" restart "$T/pg"
}

# --- a transactional revision -----------------------------------------------
createdb one
crash_during "$T/app1" one
[ "$st" = 1 ] || { cat "$T/a.err"; fail "the run exited $st, expected 1"; }
grep -q "app1: error: r2.sql:9: lost the connection to the database while revision r2 ran" "$T/a.err" ||
    { cat "$T/a.err"; fail "no clear error"; }
grep -q "^app1: detail: .*\(server closed the connection unexpectedly\|terminating connection\)" "$T/a.err" ||
    { cat "$T/a.err"; fail "no reason from the server"; }
grep -q "SQLSTATE\|	" "$T/a.err" && { cat "$T/a.err"; fail "raw libpq text or an SQLSTATE"; }
[ "$(psql -XAt -d one -c "SELECT revision FROM migbundle_version")" = r1 ] ||
    fail "r2 must not be recorded"
[ "$(psql -XAt -d one -c "SELECT rev FROM ran ORDER BY rev")" = r1 ] ||
    fail "r2's statements survived the crash"
[ "$(psql -XAt -d one -c "SELECT count(*) FROM pg_tables WHERE tablename = 't2'")" = 0 ] ||
    fail "r2's table survived the crash"
run "$T/app2" -d "$(url one)" --wait 30 up
expect_status 0
[ "$(psql -XAt -d one -c "SELECT rev || ':' || count(*) FROM ran GROUP BY rev ORDER BY rev")" = \
  "$(printf 'r1:1\nr2:1\nr3:1')" ] || fail "a revision ran twice after the crash"
[ "$(psql -XAt -d one -c "SELECT string_agg(revision, ' ' ORDER BY revision) FROM migbundle_version")" = "r1 r2 r3 r4" ] ||
    fail "not at head after the rerun"

# --- a transaction:false section ----------------------------------------
createdb two
run "$T/app2" -d "$(url two)" up r3
expect_status 0
crash_during "$T/app3" two
[ "$st" = 1 ] || { cat "$T/a.err"; fail "the tf run exited $st, expected 1"; }
grep -q "r4.sql:8: lost the connection to the database while revision r4 ran" "$T/a.err" ||
    { cat "$T/a.err"; fail "tf: no clear error"; }
grep -q "resolve r4 --applied" "$T/a.err" || { cat "$T/a.err"; fail "tf: no resolve hint"; }
run "$T/app2" -d "$(url two)" --wait 30 up
expect_status 3
expect_err "revision r4: the transaction:false up section started but never finished"
psql -XAtq -d two -c "DROP TABLE IF EXISTS t4a" >/dev/null
run "$T/app2" -d "$(url two)" resolve r4 --rolled-back
expect_status 0
run "$T/app2" -d "$(url two)" up
expect_status 0
[ "$(psql -XAt -d two -c "SELECT count(*) FROM pg_tables WHERE tablename IN ('t4a', 't4b')")" = 2 ] ||
    fail "r4 not applied after resolve"
echo "ok"

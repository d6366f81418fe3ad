#!/usr/bin/env bash
# pg_pgbouncer.sh -- app-migrate behind PgBouncer (Debian's pgbouncer).
#
# Transaction and statement pooling hand a server session to whichever
# client runs the next transaction, so the session-level migration lock
# cannot be held through them: a run with work refuses (exit 1) before it
# writes anything, and says why. A run with nothing to do, and the read
# commands, take no lock and work. Session pooling keeps one server
# session per client: four runners through it serialise, each revision
# runs once, and no lock outlives its run (app-migrate unlocks before it
# disconnects, and PgBouncer's DISCARD ALL would too).
. "$(dirname "$0")/../cli/lib.sh"

command -v pgbouncer >/dev/null 2>&1 ||
    fail "pgbouncer not found: scripts/deps.sh installs it"

# PgBouncer refuses to run as root: then it runs as the account the test
# server runs as, in a directory of its own that account can use.
as_bouncer=()
if [ "$(id -u)" -eq 0 ]; then
    as_bouncer=(runuser -u "${MB_PG_OS_USER:-postgres}" --)
fi
B=$(mktemp -d "${TMPDIR:-/tmp}/mbpgb.XXXXXX")
[ ${#as_bouncer[@]} -eq 0 ] || chown "${MB_PG_OS_USER:-postgres}" "$B"
chmod 0755 "$B"

stop_bouncer() {
    if [ -f "$B/pgbouncer.pid" ]; then
        kill "$(cat "$B/pgbouncer.pid")" 2>/dev/null || true
        for _ in $(seq 1 50); do
            [ -f "$B/pgbouncer.pid" ] || break
            sleep 0.1
        done
    fi
}
trap 'stop_bouncer; rm -rf "$B"; mb_cleanup' EXIT

# start_bouncer MODE: PgBouncer in front of the test server, listening on
# a unix socket in $B at a free port; sets BPORT
start_bouncer() {
    local mode=$1
    stop_bouncer
    for _ in 1 2 3 4 5; do
        BPORT=$((20000 + RANDOM % 30000))
        cat >"$B/pgbouncer.ini" <<EOF
[databases]
* = host=$MB_PG_SOCKET port=$MB_PG_PORT user=$MB_PG_USER
[pgbouncer]
listen_addr =
listen_port = $BPORT
unix_socket_dir = $B
auth_type = trust
auth_file = $B/users.txt
pool_mode = $mode
max_client_conn = 50
default_pool_size = 10
logfile = $B/pgbouncer.log
pidfile = $B/pgbouncer.pid
EOF
        printf '"%s" ""\n' "$MB_PG_USER" >"$B/users.txt"
        [ ${#as_bouncer[@]} -eq 0 ] || chown -R "${MB_PG_OS_USER:-postgres}" "$B"
        (cd / && "${as_bouncer[@]}" pgbouncer -d "$B/pgbouncer.ini") \
            >"$B/start.log" 2>&1 || continue
        for _ in $(seq 1 50); do
            [ -S "$B/.s.PGSQL.$BPORT" ] && return 0
            sleep 0.1
        done
    done
    cat "$B/start.log" "$B/pgbouncer.log" >&2 || true
    fail "pgbouncer did not start"
}

# via_bouncer URL: the same database, reached through PgBouncer
via_bouncer() {
    echo "postgresql:///$(pg_name "$1")?host=$B&port=$BPORT&user=$MB_PG_USER"
}

for i in 1 2 3; do
    p=""; [ "$i" -gt 1 ] && p="r$((i - 1))"
    revision "r$i" "$p" "step $i" "CREATE TABLE IF NOT EXISTS ran (rev text);
INSERT INTO ran VALUES ('r$i');" "DELETE FROM ran WHERE rev = 'r$i';"
done
make_app "$T/revs" "$T/app"

for mode in transaction statement; do
    start_bouncer "$mode"
    db=$(new_db "$mode")
    url=$(via_bouncer "$db")
    before=$(dump "$db")
    run "$T/app" -d "$url" up
    expect_status 1
    expect_err "cannot take the migration lock through a connection pooler that shares server sessions between clients; nothing was changed"
    expect_err "detail: two connections of this run were served by the same server session"
    expect_err "connect to PostgreSQL directly, or through a pool in session mode"
    [ "$before" = "$(dump "$db")" ] || fail "$mode pooling: the refused run wrote"
    # reading needs no lock
    run "$T/app" -d "$url" current
    expect_status 0
    # at head (migrated directly), up has nothing to do and takes no lock
    run "$T/app" -d "$db" up
    expect_status 0
    run "$T/app" -d "$url" up
    expect_status 0
    expect_err "nothing to do"
    run "$T/app" -d "$url" verify
    expect_status 0
    [ "$(sql "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 0 ] ||
        fail "$mode pooling: an advisory lock was left behind"
done

# A pooled server session that kept the lock from another client (here
# psql, whose lock PgBouncer leaves on the server session it returns to
# the pool): the next client served by it must not take it as its own.
# 524542322 is the lock number of "migbundle_version" (docs/operations.md).
start_bouncer transaction
db=$(new_db leaked)
url=$(via_bouncer "$db")
psql -XAtq -d "$url" -c "SELECT pg_advisory_lock(19778, 524542322)" >/dev/null
before=$(dump "$db")
run "$T/app" -d "$url" up
expect_status 1
expect_err "cannot take the migration lock through a connection pooler"
expect_err "already holds the migration lock, which this run has not taken"
[ "$before" = "$(dump "$db")" ] || fail "the refused run wrote"
stop_bouncer   # closes the pooled sessions, and the lock with them

start_bouncer session
db=$(new_db session)
url=$(via_bouncer "$db")
pids=()
for i in 1 2 3 4; do
    "$T/app" -d "$url" up >"$T/out.$i" 2>"$T/err.$i" &
    pids+=($!)
done
for i in 1 2 3 4; do
    wait "${pids[$((i - 1))]}" || { cat "$T/err.$i"; fail "session pooling: runner $i failed"; }
done
[ "$(sql "$db" "SELECT rev || ':' || count(*) FROM ran GROUP BY rev ORDER BY rev")" = \
  "$(printf 'r1:1\nr2:1\nr3:1')" ] || fail "session pooling: a revision ran twice"
[ "$(grep -l "applied 3 revisions" "$T"/err.* | wc -l)" = 1 ] ||
    fail "session pooling: expected one runner to apply everything"
# the pool keeps its server sessions; none of them keeps the lock
[ "$(sql "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 0 ] ||
    fail "session pooling: the lock outlived the run"
run "$T/app" -d "$url" down base
expect_status 0
[ "$(sql "$db" "SELECT count(*) FROM ran")" = 0 ] || fail "down through the pool"
echo "ok"

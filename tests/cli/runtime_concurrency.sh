#!/usr/bin/env bash
# runtime_concurrency.sh -- 8 runners started together on a fresh
# database: all exit 0, every revision applied exactly once, one runner
# applies everything; a run that cannot get the lock in --lock-timeout
# exits 1 saying so (on PostgreSQL, naming who holds it).
. "$(dirname "$0")/lib.sh"

for i in $(seq 1 20); do
    p=""; [ "$i" -gt 1 ] && p="r$((i - 1))"
    revision "r$i" "$p" "step $i" "CREATE TABLE t$i (id INTEGER);
INSERT INTO t$i VALUES ($i);" "DROP TABLE t$i;"
done
make_app "$T/revs" "$T/app"
db=$(new_db app)
pids=()
for i in $(seq 1 8); do
    "$T/app" -d "$db" up >"$T/out.$i" 2>"$T/err.$i" &
    pids+=($!)
done
for i in $(seq 1 8); do
    wait "${pids[$((i - 1))]}" || { cat "$T/err.$i"; fail "runner $i failed"; }
done
[ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 20 ] ||
    fail "expected 20 version rows"
[ "$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE direction = 'up'")" = 20 ] ||
    fail "a revision was applied more than once"
[ "$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE outcome <> 'ok'")" = 0 ] ||
    fail "a runner logged a failure"
appliers=$(grep -l "applied 20 revisions" "$T"/err.* | wc -l)
[ "$appliers" = 1 ] || fail "expected one runner to apply everything, got $appliers"

# lock timeout: another run holds the lock -> exit 1 naming the holder
run "$T/app" -d "$db" down base
expect_status 0
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    flock "$T/app.db" sleep 5 &
    holder=$!
    sleep 0.5
    run "$T/app" -d "$db" --lock-timeout 1 up
    expect_status 1
    expect_err "could not lock database \"$T/app.db\" within 1.0 s: another migration run holds it"
    expect_err "raise --lock-timeout"
    wait $holder
else
    # a run whose first revision sleeps holds the advisory lock meanwhile
    mkdir -p "$T/slow"
    printf -- '-- slow\n--\n-- Revision ID: s1\n-- Revises:\n\n-- migrate:up\nSELECT pg_sleep(4);\n' \
        >"$T/slow/s1.sql"
    make_app "$T/slow" "$T/app.slow"
    slow=$(new_db slow)
    "$T/app.slow" -d "$slow" up 2>"$T/slow.err" &
    holder=$!
    # wait (bounded) until it holds an advisory lock in that database; the
    # session that holds it is the one the report must name
    lockpid=
    for _ in $(seq 1 50); do
        lockpid=$(sql "$slow" "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
        [ -z "$lockpid" ] || break
        sleep 0.1
    done
    [ -n "$lockpid" ] || { cat "$T/slow.err"; fail "the slow run never took the lock"; }
    run "$T/app.slow" -d "$slow" --lock-timeout 1 up
    expect_status 1
    expect_err "could not acquire the migration lock within 1.0 s: another migration run holds it"
    expect_err "held by pid $lockpid ("
    expect_err "application_name \"app.slow\""
    expect_err "raise --lock-timeout"
    wait $holder || { cat "$T/slow.err"; fail "the slow run failed"; }
    [ "$(sql "$slow" "SELECT revision || ':' || direction || ':' || outcome FROM migbundle_log")" = "s1:up:ok" ] ||
        fail "the timed-out run wrote to the log"
    db=$slow
fi
[ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = "$([ "$MB_TEST_BACKEND" = sqlite ] && echo 0 || echo 1)" ] ||
    fail "a timed-out run changed the version table"
echo "ok"

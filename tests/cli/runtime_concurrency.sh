#!/usr/bin/env bash
# runtime_concurrency.sh -- 8 runners started together on a fresh SQLite
# file: all exit 0, every revision applied exactly once; a run that cannot
# get the lock in --lock-timeout exits 1 saying so.
. "$(dirname "$0")/lib.sh"

for i in $(seq 1 20); do
    p=""; [ "$i" -gt 1 ] && p="r$((i - 1))"
    revision "r$i" "$p" "step $i" "CREATE TABLE t$i (id INTEGER);
INSERT INTO t$i VALUES ($i);" "DROP TABLE t$i;"
done
make_app "$T/revs" "$T/app"
db="sqlite:$T/app.db"
pids=()
for i in $(seq 1 8); do
    "$T/app" -d "$db" up >"$T/out.$i" 2>"$T/err.$i" &
    pids+=($!)
done
for i in $(seq 1 8); do
    wait "${pids[$((i - 1))]}" || { cat "$T/err.$i"; fail "runner $i failed"; }
done
[ "$(sqlite3 "$T/app.db" "SELECT count(*) FROM migbundle_version")" = 20 ] ||
    fail "expected 20 version rows"
[ "$(sqlite3 "$T/app.db" "SELECT count(*) FROM migbundle_log WHERE direction = 'up'")" = 20 ] ||
    fail "a revision was applied more than once"
[ "$(sqlite3 "$T/app.db" "SELECT count(*) FROM migbundle_log WHERE outcome <> 'ok'")" = 0 ] ||
    fail "a runner logged a failure"
appliers=$(grep -l "applied 20 revisions" "$T"/err.* | wc -l)
[ "$appliers" = 1 ] || fail "expected one runner to apply everything, got $appliers"

# lock timeout: hold the run lock with flock(1) and try to migrate
run "$T/app" -d "$db" down base
expect_status 0
flock "$T/app.db" sleep 5 &
holder=$!
sleep 0.5
run "$T/app" -d "$db" --lock-timeout 1 up
expect_status 1
expect_err "could not lock database \"$T/app.db\" within 1.0 s: another migration run holds it"
expect_err "raise --lock-timeout"
wait $holder
[ "$(sqlite3 "$T/app.db" "SELECT count(*) FROM migbundle_version")" = 0 ] ||
    fail "a timed-out run changed the version table"
echo "ok"

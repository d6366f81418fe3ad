#!/usr/bin/env bash
# runtime_signals.sh -- SIGTERM and SIGINT during a run (both backends).
#
# The statement that runs is interrupted, the revision rolls back, a
# `failed` log row says why, the error names the revision, and the
# process dies of the signal (exit status 128 + N in a shell). The next
# run applies the revision once. A transaction:false section cut short
# keeps its earlier statements and an `incomplete` row: the next run
# refuses until `resolve`. A runner waiting for the lock stops waiting
# and writes nothing.
. "$(dirname "$0")/lib.sh"

if [ "$MB_TEST_BACKEND" = sqlite ]; then
    slow="WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000000000) SELECT count(*) FROM c;"
else
    slow="SELECT pg_sleep(60);"
fi
revision r1 "" "counter" "CREATE TABLE ran (rev TEXT);
INSERT INTO ran VALUES ('r1');" "DROP TABLE ran;"
revision r2 r1 "slow" "INSERT INTO ran VALUES ('r2');
CREATE TABLE t2 (x INTEGER);
$slow" "DROP TABLE t2;
DELETE FROM ran WHERE rev = 'r2';"
revision r3 r2 "three" "INSERT INTO ran VALUES ('r3');" "DELETE FROM ran WHERE rev = 'r3';"
make_app "$T/revs" "$T/app"

# start_run APP DB ARGS...: APP in the background, with SIGINT and
# SIGTERM at their defaults (a script's background job ignores SIGINT);
# waits until it runs its slow statement; sets $pid
start_run() {
    local app=$1 db=$2
    shift 2
    env --default-signal=SIGINT,SIGTERM "$app" -d "$db" "$@" >"$T/a.out" 2>"$T/a.err" &
    pid=$!
    for _ in $(seq 1 100); do
        if grep -q "applying r2\|applying f2" "$T/a.err"; then
            if [ "$MB_TEST_BACKEND" = sqlite ]; then sleep 0.3; return 0; fi
            [ -n "$(sql "$db" "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()")" ] && return 0
        fi
        sleep 0.1
    done
    cat "$T/a.err"
    fail "the run never reached its slow statement"
}

# stop_run SIGNAL STATUS: send it, expect death by it within 10 s
stop_run() {
    local st
    kill -s "$1" "$pid"
    set +e
    timeout 10 tail --pid="$pid" -f /dev/null
    wait "$pid"
    st=$?
    set -e
    [ "$st" = "$2" ] || { cat "$T/a.err"; fail "after $1: exit status $st, expected $2"; }
}

for sig in TERM INT; do
    status=$([ $sig = TERM ] && echo 143 || echo 130)
    db=$(new_db "sig$sig")
    start_run "$T/app" "$db" up
    stop_run "$sig" "$status"
    grep -q "app: error: r2_x.sql:10: interrupted by SIG$sig while revision r2 ran" "$T/a.err" ||
        { cat "$T/a.err"; fail "SIG$sig: the error does not name r2 and the signal"; }
    grep -q "detail: its transaction was rolled back: nothing of it is applied" "$T/a.err" ||
        { cat "$T/a.err"; fail "SIG$sig: no rollback detail"; }
    [ "$(sql "$db" "SELECT revision FROM migbundle_version")" = r1 ] ||
        fail "SIG$sig: r2 must not be recorded"
    [ "$(sql "$db" "SELECT rev FROM ran ORDER BY rev")" = r1 ] ||
        fail "SIG$sig: r2's statements were not rolled back"
    [ "$(sql "$db" "SELECT revision || ':' || outcome FROM migbundle_log WHERE revision = 'r2'")" = r2:failed ] ||
        fail "SIG$sig: no failed log row for r2"
    sql "$db" "SELECT error FROM migbundle_log WHERE revision = 'r2'" |
        grep -q "interrupted by SIG$sig" || fail "SIG$sig: the log row does not say why"
done

# the next run applies r2 once (without its slow statement: a new release)
sed -i '/RECURSIVE\|pg_sleep/d' "$T/revs/r2_x.sql"
make_app "$T/revs" "$T/app2"
run "$T/app2" -d "$db" up
expect_status 0
[ "$(sql "$db" "SELECT rev FROM ran ORDER BY rev")" = "$(printf 'r1\nr2\nr3')" ] ||
    fail "after the interrupted run: $(sql "$db" "SELECT rev FROM ran")"

# a transaction:false section cut short: incomplete, then refused
mkdir -p "$T/tf"
cp "$T/revs/r1_x.sql" "$T/tf/"
cat >"$T/tf/f2_x.sql" <<EOF
-- outside a transaction
--
-- Revision ID: f2
-- Revises: r1

-- migrate:up transaction:false
CREATE TABLE f2a (x INTEGER);
$slow
CREATE TABLE f2b (x INTEGER);
EOF
make_app "$T/tf" "$T/app.tf"
db=$(new_db tf)
start_run "$T/app.tf" "$db" up
stop_run TERM 143
grep -q "f2_x.sql:8: interrupted by SIGTERM while revision f2 ran" "$T/a.err" ||
    { cat "$T/a.err"; fail "tf: the error does not name f2"; }
grep -q "the statements before it stay applied" "$T/a.err" || fail "tf: no detail"
grep -q "app.tf resolve f2 --applied" "$T/a.err" || fail "tf: no resolve hint"
[ "$(sql "$db" "SELECT outcome FROM migbundle_log WHERE revision = 'f2' ORDER BY id")" = \
  "$(printf 'started\nincomplete')" ] || fail "tf: expected started, incomplete"
run "$T/app.tf" -d "$db" up
expect_status 3
expect_err "revision f2: the transaction:false up section failed part-way"

# a runner waiting for the lock: stops waiting, writes nothing
db=$(new_db waiting)
start_run "$T/app" "$db" up
holder=$pid
cp "$T/a.err" "$T/holder.err"
env --default-signal=SIGTERM "$T/app" -d "$db" up >"$T/w.out" 2>"$T/w.err" &
pid=$!
for _ in $(seq 1 100); do
    grep -q "waiting for the migration lock" "$T/w.err" && break
    sleep 0.1
done
grep -q "waiting for the migration lock" "$T/w.err" || { cat "$T/w.err"; fail "the second runner did not wait"; }
cp "$T/w.err" "$T/a.err"
stop_run TERM 143
grep -q "interrupted by SIGTERM; nothing was changed" "$T/w.err" ||
    { cat "$T/w.err"; fail "the waiting runner did not say it stopped"; }
pid=$holder
stop_run TERM 143
# the holder's rows only: r1 applied, r2 interrupted
[ "$(sql "$db" "SELECT revision || ':' || outcome FROM migbundle_log ORDER BY id")" = \
  "$(printf 'r1:ok\nr2:failed')" ] || fail "the interrupted waiting runner wrote to the log"
echo "ok"

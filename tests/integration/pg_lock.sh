#!/usr/bin/env bash
# pg_lock.sh -- the migration lock lives and dies with the session that
# migrates (PostgreSQL).
#
# 1. A runner killed with SIGKILL while a revision's transaction runs on
#    the server: a runner started right after waits for that transaction
#    (its backend still holds the lock), then finishes; every revision ran
#    exactly once (the revisions count themselves in a table).
# 2. The migrating session ended with pg_terminate_backend(): that run
#    stops at once (exit 1, "lost the connection", no log row written on a
#    dead session); a runner waiting behind it takes over and finishes.
# 3. --lock-timeout is the server's lock_timeout: the wait ends at the
#    deadline, and the report names the session that migrates.
. "$(dirname "$0")/../cli/lib.sh"

# p1 makes the counter; s2 counts itself, then sleeps inside its
# transaction; r3 and r4 count themselves
revision p1 "" "counter" "CREATE TABLE ran (rev text NOT NULL);
INSERT INTO ran VALUES ('p1');" "DROP TABLE ran;"
revision s2 p1 "slow" "INSERT INTO ran VALUES ('s2');
SELECT pg_sleep(2);" "DELETE FROM ran WHERE rev = 's2';"
revision r3 s2 "three" "INSERT INTO ran VALUES ('r3');" "DELETE FROM ran WHERE rev = 'r3';"
revision r4 r3 "four" "INSERT INTO ran VALUES ('r4');" "DELETE FROM ran WHERE rev = 'r4';"
make_app "$T/revs" "$T/app"

# wait_for_query DB TEXT: until a session of DB runs a query containing
# TEXT (bounded: 10 s); prints its pid
wait_for_query() {
    local pid
    for _ in $(seq 1 100); do
        pid=$(sql "$1" "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%$2%' AND pid <> pg_backend_pid()")
        if [ -n "$pid" ]; then echo "$pid"; return 0; fi
        sleep 0.1
    done
    return 1
}

# start_a DB: apply p1, then start runner A in the background and wait
# until it runs s2's sleep; sets $a (its pid) and $apid (its server pid)
start_a() {
    run "$T/app" -d "$1" up p1
    expect_status 0
    "$T/app" -d "$1" up >"$T/a.out" 2>"$T/a.err" &
    a=$!
    apid=$(wait_for_query "$1" "pg_sleep") ||
        { cat "$T/a.err"; fail "runner A never reached s2"; }
}

# every revision recorded once, ran once, and its log has one `ok` up row
expect_each_once() {
    local db=$1
    [ "$(sql "$db" "SELECT revision FROM migbundle_version ORDER BY revision")" = \
      "$(printf 'p1\nr3\nr4\ns2')" ] || fail "version table: $(sql "$db" "SELECT revision FROM migbundle_version")"
    [ "$(sql "$db" "SELECT rev || ':' || count(*) FROM ran GROUP BY rev ORDER BY rev")" = \
      "$(printf 'p1:1\nr3:1\nr4:1\ns2:1')" ] ||
        fail "a revision ran twice or not at all: $(sql "$db" "SELECT rev, count(*) FROM ran GROUP BY rev")"
    [ "$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE direction = 'up' AND outcome = 'ok'")" = 4 ] ||
        fail "expected 4 ok rows in the log"
}

# --- 1. kill -9 while the slow revision's transaction runs ---------------
db=$(new_db killed)
start_a "$db"
kill -KILL "$a"
wait "$a" 2>/dev/null || true
run "$T/app" -d "$db" --lock-timeout 30 up
expect_status 0
# the killed runner's backend still ran s2's transaction: B waited for it
expect_err "waiting for the migration lock, held by pid"
expect_err "applying r3"
grep -q "applying s2" "$ERR" && fail "the second runner ran s2 again"
expect_each_once "$db"

# --- 2. pg_terminate_backend on the migrating session ---------------------
db=$(new_db terminated)
start_a "$db"
"$T/app" -d "$db" --lock-timeout 30 up >"$T/b.out" 2>"$T/b.err" &
b=$!
# B waits on the lock held by A's session
for _ in $(seq 1 100); do
    grep -q "waiting for the migration lock, held by pid $apid" "$T/b.err" && break
    sleep 0.1
done
grep -q "waiting for the migration lock, held by pid $apid" "$T/b.err" ||
    { cat "$T/b.err"; fail "B did not report A's session as the holder"; }
[ "$(sql "$db" "SELECT pg_terminate_backend($apid)")" = t ] || fail "could not terminate $apid"
set +e
wait "$a"; astatus=$?
wait "$b"; bstatus=$?
set -e
[ "$astatus" = 1 ] || { cat "$T/a.err"; fail "A exited $astatus, expected 1"; }
grep -q "s2_x.sql:9: lost the connection to the database while revision s2 ran" "$T/a.err" ||
    { cat "$T/a.err"; fail "A did not say it lost its session"; }
grep -q "detail: terminating connection due to administrator command" "$T/a.err" ||
    { cat "$T/a.err"; fail "A did not give the server's reason"; }
grep -q "could not append to the log table" "$T/a.err" &&
    fail "A tried to write a log row on a dead session"
grep -q "SQLSTATE" "$T/a.err" && fail "a lost session was reported as an SQL error"
[ "$bstatus" = 0 ] || { cat "$T/b.err"; fail "B exited $bstatus, expected 0"; }
grep -q "applying s2" "$T/b.err" || { cat "$T/b.err"; fail "B did not apply s2"; }
expect_each_once "$db"
[ "$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE outcome <> 'ok'")" = 0 ] ||
    fail "the terminated run left a log row"

# --- 3. --lock-timeout ends at the deadline ------------------------------
db=$(new_db timeout)
start_a "$db"
start=$(date +%s%N)
run "$T/app" -d "$db" --lock-timeout 1.5 up
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect_status 1
expect_err "could not acquire the migration lock within 1.5 s: another migration run holds it"
expect_err "detail: held by pid $apid (application_name \"app\""
# the server's lock_timeout ends the wait, not a polling step (which
# overshot by half a second and more): a generous bound against a slow
# machine
[ "$elapsed_ms" -ge 1500 ] || fail "gave up after $elapsed_ms ms, before the deadline"
[ "$elapsed_ms" -lt 2400 ] || fail "gave up after $elapsed_ms ms, long after the 1.5 s deadline"
wait "$a" || { cat "$T/a.err"; fail "runner A failed"; }
# --lock-timeout 0: one try, no wait
"$T/app" -d "$db" down base >/dev/null 2>&1
start_a "$db"
run "$T/app" -d "$db" --lock-timeout 0 up
expect_status 1
expect_err "could not acquire the migration lock within 0.0 s"
wait "$a" || fail "runner A failed"
# the lock is gone with the run
[ "$(sql "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 0 ] ||
    fail "an advisory lock outlived its run"
echo "ok"

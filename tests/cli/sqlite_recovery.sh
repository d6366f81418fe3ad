#!/usr/bin/env bash
# sqlite_recovery.sh -- SQLite after a crash, and while busy.
#
# 1. A run killed with SIGKILL in the middle of a revision leaves a hot
#    journal. current and verify (read commands) still work: SQLite rolls
#    the transaction back as it does on any read-write open, and the
#    command says so; the version table and the schema agree afterwards.
# 2. The same, for a user who may not write the file: a clear error that
#    says why and what to do, exit 1, the journal left in place.
# 3. A database that another process keeps locked past --lock-timeout:
#    "another run holds the lock", naming that process, exit 1, for read
#    commands (SQLite's locks) and for up (the run's flock()).
. "$(dirname "$0")/lib.sh"

revision a1 "" "table" "CREATE TABLE t (x BLOB);" "DROP TABLE t;"
# b2 writes more than SQLite's page cache holds (so pages reach the file
# before COMMIT and the journal is hot), then computes for a long time
# inside its transaction
revision b2 a1 "slow" "INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 8000)
SELECT randomblob(1000) FROM c;
CREATE TABLE b2_ran (x INTEGER);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000000)
SELECT count(*) FROM c;" "DROP TABLE b2_ran;
DELETE FROM t;"
make_app "$T/revs" "$T/app"
db=$T/s.db

# --- 1. kill -9 mid-revision -> read commands roll the journal back ------
run "$T/app" -d "sqlite:$db" up a1
expect_status 0
"$T/app" -d "sqlite:$db" up >"$T/a.out" 2>"$T/a.err" &
a=$!
# hot: the journal header's magic is written (SQLite leaves it zero until
# it syncs the journal, before the first page reaches the database file)
hot() { [ -s "$1-journal" ] && [ "$(head -c 8 "$1-journal" | od -An -tx1 | tr -d ' \n')" != 0000000000000000 ]; }
for _ in $(seq 1 200); do
    hot "$db" && break
    sleep 0.05
done
hot "$db" || { kill -KILL $a; fail "b2 never spilled to the file"; }
kill -KILL $a
wait $a 2>/dev/null || true
[ -s "$db-journal" ] || fail "the killed run left no journal"

# the state before any command: what `sqlite3` (read-write) would show
cp "$db" "$T/copy.db"
cp "$db-journal" "$T/copy.db-journal"
cp "$db" "$T/ref.db"
cp "$db-journal" "$T/ref.db-journal"
expected=$(sqlite3 "$T/ref.db" .dump)

run "$T/app" -d "sqlite:$db" current
expect_status 0
expect_out "a1"
grep -q b2 "$OUT" && fail "current shows the rolled-back b2"
expect_err "app: the last run on \"$db\" was interrupted: SQLite rolled back its unfinished transaction"
[ ! -s "$db-journal" ] || fail "the journal is still hot"
[ "$(dump "$db")" = "$expected" ] || fail "the rollback differs from SQLite's own"
[ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
[ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'b2_ran'")" = 0 ] ||
    fail "b2's table survived the rollback"
run "$T/app" -d "sqlite:$db" verify
expect_status 0
expect_out "database: ok (1 applied revision matches the bundle)"
# once rolled back, nothing more to say
grep -q "interrupted" "$ERR" && fail "verify reported a second recovery"

# verify as the first command after the crash, and -q
cp "$T/copy.db" "$T/v.db"
cp "$T/copy.db-journal" "$T/v.db-journal"
run "$T/app" -q -d "sqlite:$T/v.db" verify
expect_status 0
[ ! -s "$ERR" ] || fail "-q printed: $(cat "$ERR")"
[ ! -s "$T/v.db-journal" ] || fail "verify -q did not roll back"

# up after the crash: rolls back, says so, and applies b2 from the start
cp "$T/copy.db" "$T/u.db"
cp "$T/copy.db-journal" "$T/u.db-journal"
run "$T/app" -d "sqlite:$T/u.db" up a1
expect_status 0
expect_err "was interrupted: SQLite rolled back its unfinished transaction"

# --- 2. a hot journal that this user may not roll back -------------------
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
    ro=$(mktemp -d "${TMPDIR:-/tmp}/mbro.XXXXXX")
    chmod 0755 "$ro"
    cp "$T/copy.db" "$ro/r.db"
    cp "$T/copy.db-journal" "$ro/r.db-journal"
    chmod 0644 "$ro/r.db" "$ro/r.db-journal"
    cp "$T/app" "$ro/app"
    chmod 0755 "$ro/app"
    before=$(md5sum "$ro/r.db" "$ro/r.db-journal")
    run runuser -u nobody -- "$ro/app" -d "sqlite:$ro/r.db" current
    expect_status 1
    expect_err "app: error: could not read database \"$ro/r.db\": it holds an interrupted transaction, which SQLite must roll back first, and this user may not write it"
    expect_err "app: hint: run any command once as a user who may write \"$ro/r.db\" and its directory: SQLite rolls the transaction back when it opens the file"
    [ "$before" = "$(md5sum "$ro/r.db" "$ro/r.db-journal")" ] ||
        fail "the refused read changed the files"
    rm -rf "$ro"
else
    echo "skipped: a user who may not write the file needs root, runuser and nobody"
fi

# --- 3. busy ---------------------------------------------------------------
# sqlite3 holds an exclusive lock for 3 s: a read command waits
# --lock-timeout, then says who holds the file. The holder waits for the
# poll below to let go (.timeout): without it, BEGIN EXCLUSIVE meeting the
# poll's shared lock on a loaded machine failed, and nothing was held.
(echo ".timeout 5000"; echo "BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);"
    sleep 3; echo "ROLLBACK;") |
    sqlite3 "$db" &
holder=$!
for _ in $(seq 1 50); do
    sqlite3 "$db" "PRAGMA busy_timeout = 0; SELECT count(*) FROM t" >/dev/null 2>&1 || break
    sleep 0.05
done
before=$(md5sum "$db")
run "$T/app" -d "sqlite:$db" --lock-timeout 0.5 current
expect_status 1
expect_err "app: error: could not read database \"$db\" within 0.5 s: another run holds the lock"
expect_err "app: detail: held by pid "
expect_err "(sqlite3)"
expect_err "app: hint: wait for the other run to finish, or raise --lock-timeout"
grep -q "could not prepare a query" "$ERR" && fail "a busy database reported as a query error"
run "$T/app" -d "sqlite:$db" --lock-timeout 0.5 up
expect_status 1
expect_err "within 0.5 s: another run holds the lock"
wait $holder
[ "$before" = "$(md5sum "$db")" ] || fail "the busy runs changed the file"

# another app-migrate run holds the file's flock(): named in the report
flock "$db" sleep 3 &
holder=$!
sleep 0.3
run "$T/app" -d "sqlite:$db" --lock-timeout 0.5 up
expect_status 1
expect_err "could not lock database \"$db\" within 0.5 s: another migration run holds it"
expect_err "detail: held by pid "
expect_err "(flock)"
wait $holder
echo "ok"

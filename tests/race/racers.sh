#!/usr/bin/env bash
# racers.sh -- many runners started together, on one database.
#
#   racers.sh [--long]     MB_TEST_BACKEND=sqlite|postgres (ctest sets it)
#
# Twelve revisions; each inserts its id into a table `ran` on the way up
# and deletes it on the way down, so `ran` shows what ran, and how often.
# Three races, repeated (short form: 4 trials each; long form: 100):
#
#   up      16 `up` at once, on a database already at a random revision
#           (0 to 12 pending): all exit 0, exactly one applies the
#           pending revisions (unless none), each revision ran once;
#   up/down 8 `up` and 8 `down r06` at once, from head: all exit 0; the
#           database ends at head or at r06, and `ran` holds exactly the
#           applied revisions;
#   release 8 runners of release A and 8 of release B at once, from r11:
#           A and B both have r12, with different SQL. One release
#           applies it; every runner of the other exits 3 (its r12 is not
#           the recorded one) having written nothing; nothing is lost.
#
# After every trial: the version table equals `ran` (every revision's
# effect present iff its row is), and the log has one `ok` row per step
# that ran.
. "$(dirname "$0")/../cli/lib.sh"

long=0
[ "${1:-}" = --long ] && long=1
[ "${MB_RACE_LONG:-0}" = 1 ] && long=1
trials=$([ "$long" = 1 ] && echo 100 || echo 4)

revs=()
prev=""
for i in $(seq -w 1 12); do
    r=r$i
    revision "$r" "$prev" "$r" "INSERT INTO ran VALUES ('$r');" \
        "DELETE FROM ran WHERE rev = '$r';"
    revs+=("$r")
    prev=$r
done
# r01 also makes the table
sed -i 's/^INSERT INTO ran VALUES (.r01.);/CREATE TABLE ran (rev TEXT NOT NULL);\nINSERT INTO ran VALUES ('"'r01'"');/; s/^DELETE FROM ran WHERE rev = .r01.;/DROP TABLE ran;/' "$T/revs/r01_x.sql"
make_app "$T/revs" "$T/app"
# release B: the same, but its r12 inserts something else too
cp -r "$T/revs" "$T/revsB"
sed -i "s/^INSERT INTO ran VALUES ('r12');/INSERT INTO ran VALUES ('r12');\nINSERT INTO ran VALUES ('r12-b');/" "$T/revsB/r12_x.sql"
make_app "$T/revsB" "$T/appB"

# consistent DB WHAT: `ran` equals the version table, no revision twice
consistent() {
    local db=$1 what=$2 rows ran
    rows=$(sql "$db" "SELECT revision FROM migbundle_version ORDER BY revision")
    ran=$(sql "$db" "SELECT rev FROM ran WHERE rev <> 'r12-b' ORDER BY rev" 2>/dev/null || true)
    [ "$rows" = "$ran" ] ||
        fail "$what: version table and effects differ: rows [$(echo $rows)] ran [$(echo $ran)]"
    [ -z "$(sql "$db" "SELECT rev FROM ran GROUP BY rev HAVING count(*) > 1" 2>/dev/null || true)" ] ||
        fail "$what: a revision ran twice"
}

# race_start N CMD...: N copies of CMD that start together when race_go
# creates $T/go (each polls for it every 10 ms); their exit statuses go to
# $T/status.K, stderr to $T/err.K. race_go waits for all.
k=0
race_start() {
    local n=$1 i
    shift
    for i in $(seq 1 "$n"); do
        k=$((k + 1))
        (
            set +e
            for _ in $(seq 1 3000); do [ -e "$T/go" ] && break; sleep 0.01; done
            "$@" >/dev/null 2>"$T/err.$k"
            echo $? >"$T/status.$k"
        ) &
    done
}
race_go() {
    sleep 0.2 # every runner is polling
    : >"$T/go"
    wait
}
race_reset() {
    rm -f "$T"/err.* "$T"/status.* "$T/go"
    k=0
}

statuses() { cat "$T"/status.* | sort | uniq -c | awk '{printf "%s%s x%s", NR > 1 ? ", " : "", $2, $1}'; }

for t in $(seq 1 "$trials"); do
    # --- up: 16 runners, a random number pending --------------------------
    db=$(new_db "up$t")
    start=$((RANDOM % 13))
    if [ "$start" -gt 0 ]; then "$T/app" -q -d "$db" up "${revs[$((start - 1))]}"; fi
    race_reset
    race_start 16 "$T/app" -d "$db" --lock-timeout 120 up
    race_go
    [ "$(cat "$T"/status.* | sort -u)" = 0 ] || { cat "$T"/err.*; fail "up trial $t: exits $(statuses)"; }
    pending=$((12 - start))
    if [ "$pending" -gt 0 ]; then
        [ "$(grep -l "applied $pending revision" "$T"/err.* | wc -l)" = 1 ] ||
            fail "up trial $t: not exactly one runner applied the $pending pending revisions"
    fi
    consistent "$db" "up trial $t"
    [ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 12 ] || fail "up trial $t: not at head"
    [ "$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE direction = 'up' AND outcome = 'ok'")" = 12 ] ||
        fail "up trial $t: the log does not hold one ok row per revision"

    # --- up racing down ------------------------------------------------------
    db=$(new_db "ud$t")
    "$T/app" -q -d "$db" up
    race_reset
    race_start 8 "$T/app" -d "$db" --lock-timeout 120 up
    race_start 8 "$T/app" -d "$db" --lock-timeout 120 down r06
    race_go
    [ "$(cat "$T"/status.* | sort -u)" = 0 ] || { cat "$T"/err.*; fail "up/down trial $t: exits $(statuses)"; }
    n=$(sql "$db" "SELECT count(*) FROM migbundle_version")
    [ "$n" = 12 ] || [ "$n" = 6 ] || fail "up/down trial $t: ended with $n revisions"
    consistent "$db" "up/down trial $t"
    ups=$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE direction = 'up' AND outcome = 'ok'")
    downs=$(sql "$db" "SELECT count(*) FROM migbundle_log WHERE direction = 'down' AND outcome = 'ok'")
    [ $((ups - downs)) = "$n" ] || fail "up/down trial $t: the log ($ups up, $downs down) does not add up to $n"

    # --- two releases --------------------------------------------------------
    db=$(new_db "rel$t")
    "$T/app" -q -d "$db" up r11
    before_log=$(sql "$db" "SELECT count(*) FROM migbundle_log")
    race_reset
    race_start 8 "$T/app" -d "$db" --lock-timeout 120 up
    race_start 8 "$T/appB" -d "$db" --lock-timeout 120 up
    race_go
    a=$(cat "$T"/status.{1..8} | sort -u | tr '\n' ' ')
    b=$(cat "$T"/status.{9..16} | sort -u | tr '\n' ' ')
    { [ "$a" = "0 " ] && [ "$b" = "3 " ]; } || { [ "$a" = "3 " ] && [ "$b" = "0 " ]; } ||
        { cat "$T"/err.*; fail "release trial $t: release A exited [$a], B [$b]; one must win, the other refuse"; }
    for i in $(seq 1 16); do
        if [ "$(cat "$T/status.$i")" = 3 ]; then
            grep -q "recorded checksum .* differs from the embedded" "$T/err.$i" ||
                { cat "$T/err.$i"; fail "release trial $t: runner $i exited 3 without the report"; }
        fi
    done
    consistent "$db" "release trial $t"
    [ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 12 ] || fail "release trial $t: r12 lost"
    winner=$([ "$a" = "0 " ] && echo A || echo B)
    [ "$(sql "$db" "SELECT count(*) FROM ran WHERE rev = 'r12-b'")" = "$([ "$winner" = B ] && echo 1 || echo 0)" ] ||
        fail "release trial $t: r12's effects do not belong to the winner $winner"
    [ "$(sql "$db" "SELECT count(*) FROM migbundle_log")" = $((before_log + 1)) ] ||
        fail "release trial $t: the losers wrote to the log"
    echo "trial $t: up from $start ok, up/down ended at $n ok, release $winner won ok"
done
echo "$MB_TEST_BACKEND: $trials trials of each race ($([ "$long" = 1 ] && echo long || echo short) form), 16 runners each"
echo "ok"

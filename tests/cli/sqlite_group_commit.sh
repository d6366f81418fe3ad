#!/usr/bin/env bash
# sqlite_group_commit.sh -- group commit on SQLite (--group-commit).
#
# Each revision runs in a savepoint of a transaction that commits once it
# has been open --group-commit seconds (default 0.2), before a
# transaction:false section and at the end. What that must mean:
#   - a failing revision is rolled back alone, its `failed` row written,
#     and the revisions before it committed: the same end state as one
#     transaction per revision;
#   - a crash loses the uncommitted group and nothing else (fault points,
#     in a test build): with a long interval nothing is committed, with
#     --group-commit 0 every revision before the crash is;
#   - a group whose COMMIT fails is rolled back whole, each of its
#     revisions gets a `failed` row, and the error says so;
#   - a transaction:false section starts only after the group before it
#     has committed.
. "$(dirname "$0")/lib.sh"

for i in 1 2 3 4 5; do
    p=""; [ "$i" -gt 1 ] && p="r$((i - 1))"
    revision "r$i" "$p" "r$i" "CREATE TABLE t$i (x INTEGER);" "DROP TABLE t$i;"
done
make_app "$T/revs" "$T/app"
has_faults=0
if fault_build "$T/app"; then
    has_faults=1
fi
rows() { sqlite3 "$1" "SELECT group_concat(revision, ' ') FROM (SELECT revision FROM migbundle_version ORDER BY revision)"; }

# a failing revision in the middle: r1, r2 committed, r3 rolled back alone
cp "$T/revs/r3_x.sql" "$T/r3.good"
sed -i 's/^CREATE TABLE t3 (x INTEGER);/CREATE TABLE t3 (x INTEGER);\nINSERT INTO no_such_table VALUES (1);/' "$T/revs/r3_x.sql"
make_app "$T/revs" "$T/bad"
run "$T/bad" -d "sqlite:$T/a.db" up --group-commit 60
expect_status 1
expect_err "r3_x.sql:9: revision r3 failed: no such table: no_such_table"
[ "$(rows "$T/a.db")" = "r1 r2" ] || fail "r1 and r2 should be committed: $(rows "$T/a.db")"
[ "$(sqlite3 "$T/a.db" "SELECT count(*) FROM sqlite_master WHERE name = 't3'")" = 0 ] ||
    fail "r3's table survived its rollback"
[ "$(sqlite3 "$T/a.db" "SELECT revision || ':' || outcome FROM migbundle_log ORDER BY id")" = \
  "$(printf 'r1:ok\nr2:ok\nr3:failed')" ] || fail "log: $(sqlite3 "$T/a.db" "SELECT * FROM migbundle_log")"
cp "$T/r3.good" "$T/revs/r3_x.sql"

# usage
run "$T/app" -d "sqlite:$T/u.db" current --group-commit 1
expect_status 2
expect_err "--group-commit is for up and down"
run "$T/app" -d "sqlite:$T/u.db" up --group-commit 1 --single-transaction
expect_status 2
expect_err "give one of --group-commit and --single-transaction"
run "$T/app" -d "sqlite:$T/u.db" up --group-commit soon
expect_status 2
expect_err "invalid --group-commit \"soon\": give seconds from 0 to 86400"
[ ! -e "$T/u.db" ] || fail "a refused command created the database"

if [ "$has_faults" = 0 ]; then
    echo "skipped: crash and COMMIT failures need MIGBUNDLE_FAULT_INJECTION"
    echo "ok"
    exit 0
fi

# a crash in r4 (its statement, the 4th pass through "stmt"): with a long
# interval the whole group is lost, with --group-commit 0 only r4
set +e
MB_FAULT=stmt:4 "$T/app" -q -d "sqlite:$T/g.db" up --group-commit 60 2>/dev/null
st=$?
MB_FAULT=stmt:4 "$T/app" -q -d "sqlite:$T/e.db" up --group-commit 0 2>/dev/null
st0=$?
set -e
[ "$st" = 137 ] && [ "$st0" = 137 ] || fail "the fault did not kill ($st, $st0)"
[ -z "$(sqlite3 "$T/g.db" "SELECT name FROM sqlite_master WHERE name LIKE 't%'")" ] ||
    fail "a crash inside one group left some of it"
[ "$(sqlite3 "$T/g.db" "SELECT count(*) FROM sqlite_master WHERE name = 'migbundle_version'")" = 0 ] ||
    fail "the tables of the lost group survived"
[ "$(rows "$T/e.db")" = "r1 r2 r3" ] || fail "--group-commit 0 lost committed revisions: $(rows "$T/e.db")"
run "$T/app" -d "sqlite:$T/g.db" up
expect_status 0
[ "$(rows "$T/g.db")" = "r1 r2 r3 r4 r5" ] || fail "the rerun did not reach head"

# the group's COMMIT fails: all five rolled back, five failed rows
run env MB_FAULT=commit:1:fail "$T/app" -d "sqlite:$T/c.db" up --group-commit 60
expect_status 1
expect_err "injected failure at fault point \"commit\""
expect_err "detail: the 5 revisions of this group were rolled back"
[ "$(sqlite3 "$T/c.db" "SELECT count(*) FROM migbundle_version")" = 0 ] ||
    fail "a revision of the failed group is recorded"
[ "$(sqlite3 "$T/c.db" "SELECT group_concat(revision || ':' || outcome, ' ') FROM migbundle_log")" = \
  "r1:failed r2:failed r3:failed r4:failed r5:failed" ] ||
    fail "log after a failed COMMIT: $(sqlite3 "$T/c.db" "SELECT * FROM migbundle_log")"
echo "ok"

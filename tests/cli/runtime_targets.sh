#!/usr/bin/env bash
# runtime_targets.sh -- every target error exits 2, names the problem and
# leaves the database unchanged (a dump compared before and after; on
# SQLite the file is also compared byte for byte).
. "$(dirname "$0")/lib.sh"

revision abc1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
revision abd2 abc1 "two, irreversible" "CREATE TABLE t2 (id INTEGER);"
revision abe3 abd2 "three" "CREATE TABLE t3 (id INTEGER);" "DROP TABLE t3;"
revision br4 abc1 "a branch" "CREATE TABLE t4 (id INTEGER);" "DROP TABLE t4;"
make_app "$T/revs" "$T/app"
db=$(new_db app)
run "$T/app" -d "$db" up abe3
expect_status 0
[ "$MB_TEST_BACKEND" = sqlite ] && cp "$T/app.db" "$T/before.db"
before=$(dump "$db")

# refused: exit 2, a message, nothing written
refused() { # refused EXPECTED-TEXT ARGS...
    local text=$1
    shift
    run "$T/app" -d "$db" "$@"
    expect_status 2
    expect_err "$text"
    [ "$before" = "$(dump "$db")" ] || fail "$* changed the database"
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        cmp -s "$T/app.db" "$T/before.db" || fail "$* changed the database file"
    fi
}
refused 'no such revision or branch "zzz"' up zzz
refused 'revision prefix "ab" is ambiguous' up ab
refused 'abc1, abd2, abe3' up ab
refused '"head" is ambiguous: there are 2 heads' up head
refused '"+1" goes beyond the head' up +1
refused '"abe3+1" goes beyond the head' up abe3+1
refused 'no such revision or branch "nolabel"' up nolabel@head
refused 'cannot be used with up' up -1
refused 'cannot be used with down' down +1
refused '"+0" cannot be used with up' up +0
refused 'goes below base' down -4
refused 'revision abd2 is irreversible' down abc1
refused 'revision abd2 is irreversible' down base
refused 'revision br4 is not applied' down br4
refused 'too many arguments' up abe3 br4
refused 'no such revision or branch "zzz"' stamp zzz
refused 'stamp targets abc1 and abe3 are on one lineage' stamp abc1 abe3
run "$T/app" -d "$db" up heads
expect_status 0
before=$(dump "$db")
[ "$MB_TEST_BACKEND" = sqlite ] && cp "$T/app.db" "$T/before.db"
refused '"-1" is ambiguous: the database has 2 applied heads' down -1
refused 'roll back one branch with LABEL@-1' down
refused 'revision abd2 is irreversible' down abc1
echo "ok"

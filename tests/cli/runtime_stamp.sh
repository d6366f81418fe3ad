#!/usr/bin/env bash
# runtime_stamp.sh -- stamp records revisions without running their SQL,
# writes a log row per version row it adds or removes, changes nothing
# when there is nothing to do, checks the recorded checksums first (exit
# 3, nothing written), and --purge forgets every row, also rows the
# bundle does not know. (Which rows a stamp leaves, on branched graphs,
# is proven against Alembic by tests/alembic.)
. "$(dirname "$0")/lib.sh"

revision abc1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
revision abd2 abc1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
revision abe3 abd2 "three" "CREATE TABLE t3 (id INTEGER);" "DROP TABLE t3;"
make_app "$T/revs" "$T/app"
db=$(new_db app)
rows() { sql "$db" "SELECT revision FROM migbundle_version ORDER BY revision" | tr '\n' ' '; }
log() { sql "$db" "SELECT revision || ':' || direction || ':' || outcome || ':' || COALESCE(error, '-') FROM migbundle_log ORDER BY id" | tr '\n' ' '; }

run "$T/app" -d "$db" stamp abd2
expect_status 0
expect_err "stamped: 2 version rows changed, no SQL of any revision ran"
[ "$(rows)" = "abc1 abd2 " ] || fail "rows after stamp abd2: $(rows)"
[ "$(log)" = "abc1:stamp:ok:- abd2:stamp:ok:- " ] || fail "log: $(log)"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    t1=$(sql "$db" "SELECT count(*) FROM sqlite_master WHERE name = 't1'")
else
    t1=$(sql "$db" "SELECT count(*) FROM information_schema.tables WHERE table_name = 't1'")
fi
[ "$t1" = 0 ] || fail "stamp ran the SQL of abc1"

before=$(dump "$db")
run "$T/app" -d "$db" stamp abd2
expect_status 0
expect_err "nothing to do: the version table already records the target"
[ "$before" = "$(dump "$db")" ] || fail "a stamp with nothing to do wrote"
run "$T/app" -q -d "$db" stamp abd2
expect_status 0
[ ! -s "$ERR" ] || fail "-q printed: $(cat "$ERR")"

# stamping down forgets what is above
run "$T/app" -d "$db" stamp abc1
expect_status 0
[ "$(rows)" = "abc1 " ] || fail "rows after stamp abc1: $(rows)"
case "$(log)" in
*"abd2:stamp:ok:removed by stamp "*) ;;
*) fail "no removal row in the log: $(log)" ;;
esac

# a recorded checksum that differs: refused, nothing written; --purge goes
sql "$db" "UPDATE migbundle_version SET checksum = '00000000000000000000000000000000' WHERE revision = 'abc1'"
sql "$db" "INSERT INTO migbundle_version VALUES ('zzz9', '11111111111111111111111111111111', '2026-01-01T00:00:00Z', 'x')"
before=$(dump "$db")
run "$T/app" -d "$db" stamp abe3
expect_status 3
expect_err "the database does not match this bundle"
[ "$before" = "$(dump "$db")" ] || fail "a refused stamp wrote"
run "$T/app" -d "$db" stamp --purge abe3
expect_status 0
[ "$(rows)" = "abc1 abd2 abe3 " ] || fail "rows after --purge: $(rows)"
[ "$(sql "$db" "SELECT checksum FROM migbundle_version WHERE revision = 'abc1'")" != 00000000000000000000000000000000 ] ||
    fail "--purge kept the wrong checksum"
case "$(log)" in
*"zzz9:stamp:ok:removed by stamp "*) ;;
*) fail "the unknown row's removal was not logged: $(log)" ;;
esac
run "$T/app" -d "$db" verify
expect_status 0

# stamp base forgets everything; the schema is not touched
run "$T/app" -d "$db" stamp base
expect_status 0
[ -z "$(rows)" ] || fail "rows after stamp base: $(rows)"

# usage
run "$T/app" -d "$db" stamp
expect_status 2
expect_err '"stamp" needs TARGET...'
run "$T/app" -d "$db" --purge up
expect_status 2
expect_err "--purge is for stamp"
echo ok

#!/usr/bin/env bash
# pg_extras.sh -- PostgreSQL corners: COPY FROM STDIN in a revision fails
# the statement instead of hanging, server notices are shown once with
# their level, and --wait does not retry (or blame the server) when the
# password is wrong.
. "$(dirname "$0")/../cli/lib.sh"

revision a1 "" "notice" "DO \$\$ BEGIN RAISE NOTICE 'hello from a1'; END \$\$;" "SELECT 1;"
revision b2 a1 "copy" "CREATE TABLE c (id int);
COPY c FROM STDIN;" "DROP TABLE c;"
make_app "$T/revs" "$T/app"
db=$(new_db extras)
run timeout 30 "$T/app" -d "$db" up
[ "$STATUS" != 124 ] || fail "COPY FROM STDIN hung"
expect_status 1
expect_err "app: notice: hello from a1"
grep -q "NOTICE:" "$ERR" && fail "the notice level is printed twice"
expect_err "b2_x.sql:9: revision b2 failed: COPY from stdin failed: COPY FROM STDIN cannot read data in a revision file"
[ "$(sql "$db" "SELECT revision FROM migbundle_version")" = a1 ] || fail "a1 only"
run "$T/app" -q -d "$db" up a1
expect_status 0
[ ! -s "$ERR" ] || fail "-q still printed: $(cat "$ERR")"

# a wrong password is not a server that is starting: no retrying
name=$(pg_name "$db")
start=$(date +%s)
PGPASSWORD=wrong run "$T/app" -d "postgresql://$MB_PG_USER@127.0.0.1:$MB_PG_PORT/$name" --wait 30 up
expect_status 1
expect_err "password authentication failed"
[ $(($(date +%s) - start)) -lt 10 ] || fail "--wait retried a wrong password"
grep -q "did not accept connections" "$ERR" && fail "a wrong password blamed on the server"
echo "ok"

#!/usr/bin/env bash
# pg_wait.sh -- --wait: app-migrate started before its server keeps
# retrying and migrates once the server is up; without a server it gives
# up after --wait seconds with libpq's last error (exit 1).
. "$(dirname "$0")/../cli/lib.sh"

revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
make_app "$T/revs" "$T/app"
server=$(dirname "$0")/pg_server.sh
late="$T/late"
trap '"$server" stop "$late" >/dev/null 2>&1; mb_cleanup' EXIT

# nothing listens: bounded wait, then the last error
run "$T/app" -d "postgresql:///postgres?host=$T/nowhere&port=5432" --wait 2 up
expect_status 1
expect_err "waiting for the database to accept connections (up to 2 s)"
expect_err "could not connect to the database"
expect_err "No such file or directory"
expect_err "did not accept connections within --wait 2 s"
# without --wait: at once, with a hint
run "$T/app" -d "postgresql:///postgres?host=$T/nowhere&port=5432" up
expect_status 1
expect_err "if the server is still starting, --wait SECONDS retries"

# a server that starts three seconds after app-migrate
port=$((40000 + RANDOM % 20000))
url="postgresql:///postgres?host=$late/sock&port=$port&user=mbtest"
"$T/app" -d "$url" --wait 60 up >"$T/wait.out" 2>"$T/wait.err" &
app=$!
sleep 3
MB_PG_WANT_PORT=$port "$server" start "$late" >/dev/null
wait $app || { cat "$T/wait.err"; fail "app-migrate --wait did not migrate the late server"; }
grep -qF "waiting for the database to accept connections (up to 60 s)" "$T/wait.err" ||
    fail "no waiting message"
grep -qF "applied 1 revision" "$T/wait.err" || fail "nothing applied after waiting"
echo "ok"

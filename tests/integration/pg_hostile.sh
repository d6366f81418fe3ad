#!/usr/bin/env bash
# pg_hostile.sh -- PostgreSQL connections that cannot work: each a clear
# error, exit 1, nothing written, and --wait retries only what waiting can
# cure. Loopback and the test server's socket only.
#
#   a server that accepts connections and never answers (a local socket,
#   tests/integration/silent_server.c): the attempt times out after 10 s
#   by default, or the URL's connect_timeout, instead of hanging;
#   a database that does not exist; a wrong password; a TLS certificate
#   from another CA with --wait (no retry, no "--wait" hint).
. "$(dirname "$0")/../cli/lib.sh"

revision a1 "" "one" "CREATE TABLE t (x INTEGER);" "DROP TABLE t;"
make_app "$T/revs" "$T/app"

"$CC" -o "$T/silent" "$(dirname "$0")/silent_server.c" || fail "could not build silent_server"
"$T/silent" "$T/port" &
silent=$!
trap 'kill $silent 2>/dev/null || true; mb_cleanup' EXIT
for _ in $(seq 1 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")

# the default: each attempt gives up after 10 s
start=$(date +%s)
run "$T/app" -d "postgresql://$MB_PG_USER@127.0.0.1:$port/app" up
elapsed=$(($(date +%s) - start))
expect_status 1
expect_err "app: error: could not connect to the database"
expect_err "timeout expired"
expect_err "detail: database URL: postgresql://$MB_PG_USER@127.0.0.1:$port/app"
[ "$elapsed" -ge 9 ] && [ "$elapsed" -le 15 ] ||
    fail "a silent server held the run $elapsed s (the default is 10 s)"
# the URL's connect_timeout wins, and --wait retries it until its deadline
start=$(date +%s)
run "$T/app" -d "postgresql://$MB_PG_USER@127.0.0.1:$port/app?connect_timeout=1" --wait 3 up
elapsed=$(($(date +%s) - start))
expect_status 1
expect_err "timeout expired"
expect_err "hint: the server did not accept connections within --wait 3 s"
[ "$elapsed" -le 10 ] || fail "--wait 3 with connect_timeout=1 took $elapsed s"
kill $silent

# a database that does not exist: no retry, no hint to wait
start=$(date +%s)
run "$T/app" -d "postgresql:///no_such_db_$$?host=$MB_PG_SOCKET&port=$MB_PG_PORT&user=$MB_PG_USER" --wait 30 up
expect_status 1
expect_err "database \"no_such_db_$$\" does not exist"
grep -q -- "--wait" "$ERR" && fail "a missing database was blamed on a server that is starting"
[ $(($(date +%s) - start)) -lt 10 ] || fail "--wait retried a missing database"

# a certificate from another CA: no retry, no hint to wait
db=$(new_db hostile)
name=$(pg_name "$db")
openssl req -x509 -new -nodes -days 1 -subj "/CN=other CA" -newkey ec \
    -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$T/other.key" \
    -out "$T/other.crt" 2>/dev/null || fail "openssl"
before=$(dump "$db")
start=$(date +%s)
PGPASSWORD=$MB_PG_PASSWORD run "$T/app" \
    -d "postgresql://$MB_PG_USER@localhost:$MB_PG_PORT/$name?sslmode=verify-full&sslrootcert=$T/other.crt" \
    --wait 30 up
expect_status 1
expect_err "certificate verify failed"
grep -q -- "--wait" "$ERR" && fail "a TLS failure got the --wait hint"
[ $(($(date +%s) - start)) -lt 10 ] || fail "--wait retried a TLS failure"
[ "$before" = "$(dump "$db")" ] || fail "the refused connection wrote"

# a wrong password (pg_extras.sh checks --wait): the message, nothing written
PGPASSWORD=wrong run "$T/app" -d "postgresql://$MB_PG_USER@127.0.0.1:$MB_PG_PORT/$name" up
expect_status 1
expect_err "password authentication failed for user \"$MB_PG_USER\""
grep -q "wrong" "$ERR" && fail "the password was printed"
[ "$before" = "$(dump "$db")" ] || fail "the refused connection wrote"
echo "ok"

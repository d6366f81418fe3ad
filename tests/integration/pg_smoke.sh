#!/usr/bin/env bash
# pg_smoke.sh -- proves the test PostgreSQL server (tests/integration/
# pg_server.sh, the ctest fixture "pg") is reachable every way the tests
# use it: the unix socket (trust, through MB_PG_URL_BASE), TCP on 127.0.0.1
# with a scram-sha-256 password, and TCP with TLS verified against the
# harness's own CA (sslmode=verify-full, host=localhost). Wrong passwords
# and an untrusted CA must be refused.
. "$(dirname "$0")/../cli/lib.sh"

[ "$MB_TEST_BACKEND" = postgres ] || fail "run with MB_TEST_BACKEND=postgres"
# every connection below names host, port, user and database itself
unset PGPASSWORD PGSSLMODE PGSSLROOTCERT PGSERVICE
q() { # q CONNINFO-OR-URL QUERY: one value, psql with a bounded connect
    PGCONNECT_TIMEOUT=10 PGPASSFILE=/dev/null psql -XAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
tcp="host=$MB_PG_HOST port=$MB_PG_PORT user=$MB_PG_USER dbname=postgres"

# unix socket, trust: the URL form the tests build on
run q "$MB_PG_URL_BASE/postgres" "SELECT current_user || ' ' || coalesce(inet_server_addr()::text, 'socket')"
expect_status 0
[ "$(cat "$OUT")" = "mbtest socket" ] || fail "socket: $(cat "$OUT")"
run q "postgresql:///postgres?host=$MB_PG_SOCKET&port=$MB_PG_PORT&user=$MB_PG_USER" "SELECT 1"
expect_status 0
# a superuser: the tests create and drop databases
run q "$MB_PG_URL_BASE/postgres" "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
[ "$(cat "$OUT")" = t ] || fail "mbtest is not a superuser"
run q "$MB_PG_URL_BASE/postgres" "SHOW server_version_num"
[[ "$(cat "$OUT")" == 15* ]] || fail "not PostgreSQL 15: $(cat "$OUT")"

# TCP, scram-sha-256 password, no TLS
PGPASSWORD=$MB_PG_PASSWORD run q "$tcp sslmode=disable" \
    "SELECT inet_server_addr()::text || ' ' || (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())"
expect_status 0
[ "$(cat "$OUT")" = "127.0.0.1/32 false" ] || fail "TCP: $(cat "$OUT")"
PGPASSWORD=$MB_PG_PASSWORD run q "$MB_PG_TCP_URL_BASE/postgres?sslmode=disable" "SELECT 1"
expect_status 0
run q "$MB_PG_TCP_URL_BASE/postgres?sslmode=disable&password=$MB_PG_PASSWORD" "SELECT 1"
expect_status 0
run q "$MB_PG_URL_BASE/postgres" \
    "SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' LIMIT 1"
[ "$(cat "$OUT")" = scram-sha-256 ] || fail "TCP auth is not scram-sha-256: $(cat "$OUT")"
PGPASSWORD=not-the-password run q "$tcp sslmode=disable" "SELECT 1"
[ "$STATUS" != 0 ] || fail "a wrong password was accepted"
expect_err 'password authentication failed for user "mbtest"'
run q "$tcp sslmode=disable" "SELECT 1" </dev/null
[ "$STATUS" != 0 ] || fail "TCP without a password was accepted"

# TCP with TLS, the certificate verified for host name localhost
PGPASSWORD=$MB_PG_PASSWORD run q \
    "host=localhost port=$MB_PG_PORT user=$MB_PG_USER dbname=postgres sslmode=verify-full sslrootcert=$MB_PG_ROOTCERT" \
    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
expect_status 0
[ "$(cat "$OUT")" = t ] || fail "verify-full: not a TLS session"
PGPASSWORD=$MB_PG_PASSWORD run q \
    "postgresql://$MB_PG_USER@localhost:$MB_PG_PORT/postgres?sslmode=verify-full&sslrootcert=$MB_PG_ROOTCERT" "SELECT 1"
expect_status 0
# the same certificate names 127.0.0.1 too
PGPASSWORD=$MB_PG_PASSWORD run q "$tcp sslmode=verify-full sslrootcert=$MB_PG_ROOTCERT" "SELECT 1"
expect_status 0
# and a CA that did not sign it is refused
PGPASSWORD=$MB_PG_PASSWORD run q \
    "host=localhost port=$MB_PG_PORT user=$MB_PG_USER dbname=postgres sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt" "SELECT 1"
[ "$STATUS" != 0 ] || fail "verify-full accepted a CA that did not sign the certificate"
expect_err "certificate verify failed"

# the helpers of lib.sh work against this server
db=$(new_db smoke)
db_exists "$db" || fail "new_db did not create $db"
sql "$db" "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'x'), (2, NULL)" >/dev/null
[ "$(sql "$db" "SELECT a, b FROM t ORDER BY a")" = "$(printf '1|x\n2|')" ] ||
    fail "sql: rows are not a|b lines"
dump "$db" | grep -q "CREATE TABLE public.t" || fail "dump lacks the table"
[ "$(dump "$db")" = "$(dump "$db")" ] || fail "dump is not stable"
echo "ok"

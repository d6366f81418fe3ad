#!/usr/bin/env bash
# pg_tls.sh -- app-migrate over TLS with the server certificate verified
# (sslmode=verify-full against the test CA), and refused against a CA
# that did not sign it.
. "$(dirname "$0")/../cli/lib.sh"

revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
make_app "$T/revs" "$T/app"
db=$(new_db tls)
name=$(pg_name "$db")
base="postgresql://$MB_PG_USER@localhost:$MB_PG_PORT/$name"
export PGPASSWORD=$MB_PG_PASSWORD
run "$T/app" -d "$base?sslmode=verify-full&sslrootcert=$MB_PG_ROOTCERT&application_name=tls_check" up
expect_status 0
[ "$(sql "$db" "SELECT count(*) FROM migbundle_version")" = 1 ] || fail "nothing applied over TLS"
run "$T/app" -d "$base?sslmode=verify-full&sslrootcert=$MB_PG_ROOTCERT" verify
expect_status 0
# the connection really was encrypted: ask the server from the same URL
psql -XAtq "$base?sslmode=verify-full&sslrootcert=$MB_PG_ROOTCERT" \
    -c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" | grep -qx t ||
    fail "the TLS session was not encrypted"
# a CA that did not sign the server certificate
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other CA" \
    -keyout "$T/other.key" -out "$T/other.crt" 2>/dev/null
run "$T/app" -d "$base?sslmode=verify-full&sslrootcert=$T/other.crt" verify
expect_status 1
expect_err "could not connect to the database"
expect_err "certificate verify failed"
echo "ok"

#!/usr/bin/env bash
# pg_password.sh -- a password never appears in any output: not in text or
# JSON results, logs, errors, the version or log tables, whether it came in
# the URL, as a password= parameter, in PGPASSWORD, or as the bundled
# default database (over TCP with scram-sha-256).
. "$(dirname "$0")/../cli/lib.sh"

secret="S3ntinel-pw-$RANDOM$RANDOM"
role="pw_user_$$"
db=$(new_db pw)
name=$(pg_name "$db")
psql -XAtq -c "CREATE ROLE $role LOGIN PASSWORD '$secret'"
psql -XAtq -c "ALTER DATABASE $name OWNER TO $role"
trap 'psql -XAtq -c "DROP OWNED BY '"$role"' CASCADE" -d "$name" 2>/dev/null; dropdb --if-exists --force "$name"; psql -XAtq -c "DROP ROLE IF EXISTS '"$role"'"; mb_cleanup' EXIT

revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
url="postgresql://$role:$secret@127.0.0.1:$MB_PG_PORT/$name"
make_app "$T/revs" "$T/app" --default-db "$url"
all="$T/all-output"
: >"$all"
# every command, every format, every way to pass the password
check() {
    run "$@"
    cat "$OUT" "$ERR" >>"$all"
}
check "$T/app" -d "$url" up
expect_status 0
check "$T/app" -d "$url" current --format json
check "$T/app" -d "$url" verify
check "$T/app" -d "$url" verify --format json
expect_out '"url": "postgresql://'"$role"':***@127.0.0.1'
check "$T/app" manifest
expect_out "default-db: postgresql://$role:***@127.0.0.1"
check "$T/app" manifest --format json
check "$T/app" up                      # the bundled default
expect_status 0
check "$T/app" --version
check "$T/app" --help
kv="postgresql://127.0.0.1:$MB_PG_PORT/$name?user=$role&password=$secret"
check "$T/app" -d "$kv" verify --format json
expect_status 0
expect_out "password=***"
PGPASSWORD=$secret check "$T/app" -d "postgresql://$role@127.0.0.1:$MB_PG_PORT/$name" down base
expect_status 0
# failures: a wrong password, a refused port, a bad option
check "$T/app" -d "postgresql://$role:wrong-$secret@127.0.0.1:$MB_PG_PORT/$name" up
expect_status 1
expect_err "password authentication failed"
check "$T/app" -d "postgresql://$role:$secret@127.0.0.1:1/$name" up
expect_status 1
check "$T/app" -d "postgresql://$role:$secret@127.0.0.1:$MB_PG_PORT/$name?bogus=1" up
expect_status 1
expect_err "database URL: postgresql://$role:***@127.0.0.1"
check "$T/app" -d "$url" --format xml verify
expect_status 2
sql "$db" "SELECT * FROM migbundle_version" >>"$all"
sql "$db" "SELECT * FROM migbundle_log" >>"$all"
[ -s "$all" ] || fail "nothing was captured"
if grep -F -- "$secret" "$all"; then
    fail "the password appears in the output above"
fi
echo "ok"

#!/usr/bin/env bash
# runtime_usage.sh -- app-migrate's usage errors exit 2 with a hint and
# touch nothing (on either backend); --help and --version exit 0.
. "$(dirname "$0")/lib.sh"

app=$APP_MIGRATE
db=$(new_db u)
empty=$(dump "$db")
usage_error() { # usage_error TEXT ARGS...
    local text=$1
    shift
    run "$app" "$@"
    expect_status 2
    expect_err "$text"
    expect_err "Try \"app-migrate --help\" for more information."
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        [ ! -e "$T/u.db" ] || fail "$* created the database"
    fi
    [ "$empty" = "$(dump "$db")" ] || fail "$* wrote to the database"
}
usage_error 'no command given'
usage_error 'unknown command "upp"' -d "$db" upp
usage_error 'unknown option "--bogus"' -d "$db" --bogus=1 up
usage_error 'unknown option "-x"' -d "$db" -x up
usage_error 'unknown output format "xml"' -d "$db" --format xml current
usage_error '"up" has no JSON output' -d "$db" --format json up
usage_error 'invalid --lock-timeout "soon"' -d "$db" --lock-timeout soon up
usage_error 'invalid --wait "later"' -d "$db" --wait later up
usage_error '--single-transaction is for up and down' -d "$db" --single-transaction current
usage_error 'invalid --lock-timeout "-1"' -d "$db" --lock-timeout=-1 up
usage_error 'too many arguments for "current"' -d "$db" current extra
usage_error 'option "--db" needs a value' up --db
usage_error 'option "-d" needs a value' up -d
usage_error 'the target given to "up" is empty' -d "$db" up ''
usage_error 'the target given to "down" is empty' -d "$db" down ''
usage_error 'the target given to "stamp" is empty' -d "$db" stamp head ''
usage_error 'the revision given to "show" is empty' -d "$db" show ''
usage_error 'the revision given to "resolve" is empty' -d "$db" resolve '' --applied

run "$app" -d "ftp://example/x" up
expect_status 2
expect_err "unsupported database URL scheme"
usage_error 'empty database URL given with -d' -d "" up
revision a1 "" "one" "SELECT 1;" "SELECT 2;"
make_app "$T/revs" "$T/nodefault"
run env -u DATABASE_URL "$T/nodefault" up
expect_status 2
expect_err "no database given"
expect_err "pass -d URL or set DATABASE_URL"
run "$app" -d "sqlite:" up
expect_status 2
expect_err "has no file name"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    run "$app" -d "sqlite:$T/no/such/dir/x.db" up
    expect_status 1
    expect_err "could not open database"
else
    run "$app" -d "$MB_PG_URL_BASE/t_$$_no_such_db" up
    expect_status 1
    expect_err "could not connect to the database"
    expect_err "database \"t_$$_no_such_db\" does not exist"
fi

run "$app" --help
expect_status 0
for c in up down current history heads verify log manifest; do
    grep -qE "^  $c " "$OUT" || fail "--help does not list $c"
    run "$app" "$c" --help
    expect_status 0
    expect_out "Usage:"
    run "$app" --help
done
expect_out "Exit status: 0 success; 1 database or SQL error, lock timeout, connection"
run "$app" --version
expect_status 0
expect_out "migbundle 0.1.0"
# options after the command, and -N after options
v=$(new_db v)
run "$app" up -d "$v" --quiet
expect_status 0
[ ! -s "$ERR" ] || fail "--quiet still printed progress"
run "$app" down -d "$v" -q -2
expect_status 0
run "$app" -d "$v" -- down -1
expect_status 0
echo "ok"

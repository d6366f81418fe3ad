#!/usr/bin/env bash
# static_chroot.sh -- the fully static app-migrate (MIGBUNDLE_STATIC=ON,
# $APP_MIGRATE_STATIC) copied alone into an empty directory and run there
# under chroot (as root) or unshare -r chroot (otherwise), with an empty
# environment: it migrates a SQLite database inside that directory, the
# test PostgreSQL server over TCP on 127.0.0.1 with scram-sha-256, the same
# with sslmode=require and with verify-full against a CA file copied in;
# verify and manifest work; `file` says it is statically linked.
#
# Also pins down what static glibc cannot do in an empty root (no NSS
# configuration files): a host name (localhost) is not resolved until
# /etc/hosts exists, and a URL without a user name (and no PGUSER) fails
# because libpq asks getpwuid() for the OS user name.
MB_TEST_BACKEND=postgres
. "$(dirname "$0")/../cli/lib.sh"

exe=${APP_MIGRATE_STATIC:?set APP_MIGRATE_STATIC to the static app-migrate}
[ -x "$exe" ] || fail "no static app-migrate at $exe"

chroot=$(command -v chroot) || { echo "skipped: no chroot"; exit 77; }
if [ "$(id -u)" -eq 0 ]; then
    jail=("$chroot")
elif unshare -r true 2>/dev/null; then
    jail=("$(command -v unshare)" -r "$chroot")
else
    echo "skipped: not root and unshare -r is not allowed"
    exit 77
fi

file -L "$exe" | grep -q 'statically linked' ||
    fail "not statically linked: $(file -L "$exe")"

root=$T/root
mkdir -p "$root"
cp "$exe" "$root/app-migrate"
chmod 755 "$T" "$root"
# inroot CMD...: run CMD inside the empty root, no environment but PGPASSWORD
inroot() {
    run env -i PGPASSWORD="$MB_PG_PASSWORD" "${jail[@]}" "$root" "$@"
}
[ "$(ls -A "$root")" = app-migrate ] || fail "the root is not empty"

# SQLite, a file inside the root.
inroot /app-migrate -d sqlite:/app.db up
expect_status 0
expect_err "applied"
inroot /app-migrate -d sqlite:/app.db verify
expect_status 0
expect_out "database: ok"
inroot /app-migrate manifest
expect_status 0
expect_out "name: app-migrate"
[ -f "$root/app.db" ] || fail "no database file in the root"

# PostgreSQL over TCP with a password (scram-sha-256).
tcp="postgresql://$MB_PG_USER@127.0.0.1:$MB_PG_PORT"
for mode in disable require verify-full; do
    db=$(new_db "static_$mode")
    name=$(pg_name "$db")
    url="$tcp/$name?sslmode=$mode"
    if [ "$mode" = verify-full ]; then
        cp "$MB_PG_ROOTCERT" "$root/ca.crt"
        url="$url&sslrootcert=/ca.crt"
    fi
    inroot /app-migrate -d "$url" up
    expect_status 0
    expect_err "applied"
    inroot /app-migrate -d "$url" verify
    expect_status 0
    expect_out "database: ok"
    [ "$(sql "$db" "SELECT count(*) > 0 FROM migbundle_version")" = t ] ||
        fail "sslmode=$mode: nothing recorded in migbundle_version"
done

# What needs NSS: a host name, and no user name.
db=$(new_db static_nss)
name=$(pg_name "$db")
inroot /app-migrate -d "postgresql://$MB_PG_USER@localhost:$MB_PG_PORT/$name" up
expect_status 1
expect_err 'could not translate host name "localhost"'
inroot /app-migrate -d "postgresql://127.0.0.1:$MB_PG_PORT/$name" up
expect_status 1
expect_err "could not look up local user ID"
# ... and what is enough: /etc/hosts (glibc's built-in files module), or
# PGUSER.
mkdir -p "$root/etc"
echo "127.0.0.1 localhost" >"$root/etc/hosts"
inroot /app-migrate -d "postgresql://$MB_PG_USER@localhost:$MB_PG_PORT/$name" up
expect_status 0
rm -r "$root/etc"
run env -i PGPASSWORD="$MB_PG_PASSWORD" PGUSER="$MB_PG_USER" "${jail[@]}" "$root" \
    /app-migrate -d "postgresql://127.0.0.1:$MB_PG_PORT/$name" verify
expect_status 0
echo "ok"

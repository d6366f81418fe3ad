#!/usr/bin/env bash
# sqlite_hostile.sh -- SQLite files that cannot be used: each gives a clear
# error naming the file and what to do, exit 1, and the database (or its
# absence) as before.
#
#   a full file system (a small tmpfs; needs root to mount it, else
#   skipped): a new file is not left behind, an existing one keeps its
#   data; a read-only file and a directory that may not be written (as
#   `nobody`; needs root, else skipped); a directory where the file
#   should be; a file that is not a database; a damaged database; a
#   directory that does not exist.
. "$(dirname "$0")/lib.sh"

revision a1 "" "small" "CREATE TABLE t (x BLOB);" "DROP TABLE t;"
revision b2 a1 "big" "INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300)
SELECT randomblob(1000) FROM c;" "DELETE FROM t;"
make_app "$T/revs" "$T/app"

# same_as FILE SUM: the file's checksum is still SUM
same_as() { [ "$(md5sum <"$1")" = "$2" ] || fail "$1 changed"; }

# --- a full file system --------------------------------------------------
mnt=$T/mnt
mkdir -p "$mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=48k tmpfs "$mnt" 2>/dev/null; then
    trap 'umount "$mnt" 2>/dev/null || true; mb_cleanup' EXIT
    # an existing database at a1 with room for a1 only
    run "$T/app" -d "sqlite:$mnt/full.db" up a1
    expect_status 0
    dd if=/dev/zero of="$mnt/fill" bs=1k count=200 2>/dev/null || true
    before=$(sqlite3 "$mnt/full.db" "SELECT revision FROM migbundle_version; SELECT count(*) FROM t")
    run "$T/app" -d "sqlite:$mnt/full.db" up
    expect_status 1
    expect_err "could not write database \"$mnt/full.db\": the disk is full"
    expect_err "hint: free space on the file system that holds \"$mnt/full.db\""
    [ "$(sqlite3 "$mnt/full.db" "SELECT revision FROM migbundle_version; SELECT count(*) FROM t")" = "$before" ] ||
        fail "the full disk changed the database"
    [ "$(sqlite3 "$mnt/full.db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
    # a new file on the full disk: nothing left behind
    run "$T/app" -d "sqlite:$mnt/new.db" up
    expect_status 1
    expect_err "could not write database \"$mnt/new.db\": the disk is full"
    [ ! -e "$mnt/new.db" ] || fail "a new database file was left on the full disk"
    [ ! -e "$mnt/new.db-journal" ] || fail "a journal was left on the full disk"
    umount "$mnt"
    trap mb_cleanup EXIT
else
    echo "skipped: a full file system needs root to mount a tmpfs"
fi

# --- a file and a directory this user may not write ----------------------
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
    ro=$(mktemp -d "${TMPDIR:-/tmp}/mbro.XXXXXX")
    chmod 0755 "$ro"
    cp "$T/app" "$ro/app"
    "$ro/app" -q -d "sqlite:$ro/r.db" up a1
    chmod 0644 "$ro/r.db"
    sum=$(md5sum <"$ro/r.db")
    run runuser -u nobody -- "$ro/app" -d "sqlite:$ro/r.db" up
    expect_status 1
    expect_err "could not write database \"$ro/r.db\": attempt to write a readonly database"
    expect_err "hint: a run writes the file and creates a journal beside it: give this user write access to \"$ro/r.db\" and its directory"
    grep -q "revision b2 failed" "$ERR" && fail "a read-only file was blamed on the revision"
    same_as "$ro/r.db" "$sum"
    # reading works
    run runuser -u nobody -- "$ro/app" -d "sqlite:$ro/r.db" current
    expect_status 0
    expect_out "a1"
    # a new file in a directory this user may not write
    run runuser -u nobody -- "$ro/app" -d "sqlite:$ro/new.db" up
    expect_status 1
    expect_err "could not open database \"$ro/new.db\": unable to open database file"
    expect_err "hint: check that the directory of \"$ro/new.db\" exists and that this user may create and write files in it"
    [ ! -e "$ro/new.db" ] || fail "a file appeared"
    rm -rf "$ro"
else
    echo "skipped: a read-only file needs root, runuser and the user nobody"
fi

# --- a directory where the file should be --------------------------------
mkdir "$T/dir.db"
for cmd in up current verify; do
    run "$T/app" -d "sqlite:$T/dir.db" $cmd
    expect_status 1
    expect_err "database \"$T/dir.db\" is a directory, not a database file"
    expect_err "hint: name the database file in the URL, e.g. sqlite:$T/dir.db/app.db"
done
[ -z "$(ls -A "$T/dir.db")" ] || fail "something was written into the directory"

# --- a file that is not a database ---------------------------------------
printf 'name,email\nada,ada@example.com\n' >"$T/users.csv"
sum=$(md5sum <"$T/users.csv")
for cmd in up current verify; do
    run "$T/app" -d "sqlite:$T/users.csv" $cmd
    expect_status 1
    expect_err "could not read database \"$T/users.csv\": the file is not an SQLite database"
    expect_err "hint: check the path in the URL: this file exists but holds something else"
    grep -q "could not prepare a query" "$ERR" && fail "$cmd: the old message"
done
same_as "$T/users.csv" "$sum"

# --- a damaged database ----------------------------------------------------
"$T/app" -q -d "sqlite:$T/damaged.db" up a1
sqlite3 "$T/damaged.db" "PRAGMA page_count" >/dev/null
# overwrite the pages after the first (the tables' b-trees) with noise
dd if=/dev/urandom of="$T/damaged.db" bs=1024 seek=4 count=8 conv=notrunc 2>/dev/null
sum=$(md5sum <"$T/damaged.db")
run "$T/app" -d "sqlite:$T/damaged.db" up
expect_status 1
expect_err "could not read database \"$T/damaged.db\": the file is damaged (database disk image is malformed)"
expect_err "hint: check it with sqlite3 \"$T/damaged.db\" \"PRAGMA integrity_check\" and restore it from a backup"
same_as "$T/damaged.db" "$sum"

# --- a directory that does not exist ---------------------------------------
run "$T/app" -d "sqlite:$T/no/such/dir/app.db" up
expect_status 1
expect_err "could not open database \"$T/no/such/dir/app.db\": unable to open database file"
expect_err "hint: check that the directory of \"$T/no/such/dir/app.db\" exists"
[ ! -e "$T/no" ] || fail "a directory was created"
echo "ok"

#!/usr/bin/env bash
# bundler_author.sh -- migbundle revision and merge write the files Alembic's
# revision and merge would (ids, parents, slug, header), refuse what
# Alembic refuses with exit 2 and nothing written; migbundle history, heads
# and branches print exactly what app-migrate prints for the same graph.
. "$(dirname "$0")/lib.sh"

mb=$MIGBUNDLE
d=$T/m
mkdir "$d"
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01 00:00:00 UTC

# nothing written: the directory's listing and contents are unchanged
snapshot() { (cd "$d" && find . -type f -print0 | sort -z |
    xargs -0 -r sha256sum) >"$T/snap"; }
unchanged() {
    (cd "$d" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) |
        diff -u "$T/snap" - >&2 || fail "$1: the directory changed"
}
refused() { # refused TEXT ARGS...: exit 2, TEXT on stderr, nothing written
    local text=$1
    shift
    snapshot
    run "$mb" "$@"
    expect_status 2
    expect_err "$text"
    [ ! -s "$OUT" ] || fail "$*: printed a path"
    unchanged "$*"
}
# fill the up (and down) section of a file written by `revision`
fill() {
    sed -i "s/^-- migrate:up\$/-- migrate:up\\n$2/; s/^-- migrate:down\$/-- migrate:down\\n$3/" "$1"
}

# ---- the first revision: a base, the whole file -----------------------
run "$mb" revision "$d" -m "Create users table" --rev-id a1b2c3d4e5f6
expect_status 0
expect_stdout <<EOF
$d/a1b2c3d4e5f6_create_users_table.sql
EOF
diff -u - "$d/a1b2c3d4e5f6_create_users_table.sql" <<'EOF' || fail "file differs"
-- Create users table
--
-- Revision ID: a1b2c3d4e5f6
-- Revises:
-- Create Date: 2026-01-01 00:00:00
-- Branch Labels:
-- Depends On:
--
-- Write the change under "-- migrate:up" and its exact undo under
-- "-- migrate:down"; the format is docs/format.md in migbundle's
-- documentation.

-- migrate:up


-- migrate:down

EOF
# an unfilled revision does not build
run "$mb" check "$d"
expect_status 1
expect_err "a1b2c3d4e5f6_create_users_table.sql:13: up section has no statement"
fill "$d/a1b2c3d4e5f6_create_users_table.sql" "CREATE TABLE users (id int);" \
    "DROP TABLE users;"
run "$mb" check "$d"
expect_status 0

# ---- a random id follows the head; drafts do not stop the next one ----
run "$mb" revision "$d" -m "add role column to users (v2)"
expect_status 0
r2=$(cat "$OUT")
id2=$(basename "$r2" | cut -d_ -f1)
[[ $id2 =~ ^[0-9a-f]{12}$ ]] || fail "id \"$id2\" is not 12 hex digits"
[ "$(basename "$r2")" = "${id2}_add_role_column_to_users_v2.sql" ] ||
    fail "file name $r2"
grep -qx -- "-- Revises: a1b2c3d4e5f6" "$r2" || fail "parent of $r2"
grep -qx -- "-- Revision ID: $id2" "$r2" || fail "id in $r2"
run "$mb" revision "$d" -m "third" --rev-id c3
expect_status 0
grep -qx -- "-- Revises: $id2" "$d/c3_third.sql" || fail "c3's parent"
refused "revision message is empty" revision "$d" -m "" --head c3

# ---- Alembic's refusals -------------------------------------------------
refused "revision $id2 is not a head" revision "$d" -m y --head "$id2"
expect_err "give --splice to start a new branch from it"
run "$mb" revision "$d" -m "side branch" --head "$id2" --splice --rev-id s4 \
    --branch-label side
expect_status 0
grep -qx -- "-- Revises: $id2" "$d/s4_side_branch.sql" || fail "s4's parent"
grep -qx -- "-- Branch Labels: side" "$d/s4_side_branch.sql" || fail "label"
refused 'the graph has 2 heads (c3, s4): which one does the new revision follow?' \
    revision "$d" -m z
expect_err 'give --head REV (or LABEL@head), or join the heads first with "migbundle merge DIR heads"'
run "$mb" revision "$d" -m "on side" --head side@head --rev-id s5 \
    --depends-on c3
expect_status 0
grep -qx -- "-- Revises: s4" "$d/s5_on_side.sql" || fail "side@head"
grep -qx -- "-- Depends On: c3" "$d/s5_on_side.sql" || fail "depends on"
# a prefix in --depends-on is written as the full id
run "$mb" revision "$d" -m "needs the role" --head c3 --rev-id c6 \
    --depends-on "${id2:0:6}"
expect_status 0
grep -qx -- "-- Depends On: $id2" "$d/c6_needs_the_role.sql" || fail "prefix"
refused 'no such revision or branch "nope"' revision "$d" -m z --head nope
refused 'no such revision or branch "nope"' revision "$d" -m z --head c6 \
    --depends-on nope
refused '--depends-on "heads" names 2 revisions' revision "$d" -m z \
    --head c6 --depends-on heads
refused 'revision id "c3" is taken by c3_third.sql' revision "$d" -m z \
    --head c6 --rev-id c3
refused 'invalid revision id "a-b"' revision "$d" -m z --head c6 --rev-id a-b
refused 'revision id "head" is reserved' revision "$d" -m z --head c6 \
    --rev-id head
refused 'invalid revision id "' revision "$d" -m z --head c6 \
    --rev-id "$(printf '%040d' 7)"
refused 'branch label "side" is taken by revision s4 (s4_side_branch.sql)' revision "$d" -m z --head c6 \
    --branch-label side
refused 'invalid branch label "a,b"' revision "$d" -m z --head c6 \
    --branch-label a,b
refused 'invalid branch label "x-y"' revision "$d" -m z --head c6 \
    --branch-label x-y
refused 'the message has a control character (0x0a)' revision "$d" \
    -m "$(printf 'two\nlines')" --head c6
refused '--head given twice' revision "$d" -m z --head c6 --head s5
SOURCE_DATE_EPOCH=soon refused 'invalid SOURCE_DATE_EPOCH "soon"' \
    revision "$d" -m z --head c6
# whatever has the file's name is never overwritten (here a directory,
# which the scan walks and finds empty)
mkdir "$d/q9_third.sql"
refused "q9_third.sql exists" revision "$d" -m third --head c6 --rev-id q9
rmdir "$d/q9_third.sql"
refused 'no migrations directory given' revision -m z
refused 'too many command-line arguments' revision "$d" extra -m z
refused 'unrecognized option "--bogus"' revision "$d" --bogus
refused 'option "-m" requires an argument' revision "$d" -m
# a broken file in the directory: invalid input (1), nothing written
printf -- '-- broken\n' >"$d/zz_broken.sql"
snapshot
run "$mb" revision "$d" -m z --head c6
expect_status 1
expect_err "zz_broken.sql:2: expected an empty \"--\" line after the message"
unchanged "broken directory"
rm "$d/zz_broken.sql"
run "$mb" revision "$T/missing" -m z
expect_status 1
expect_err "missing"

# ---- merge ---------------------------------------------------------------
refused 'revision c3 is not a head' merge "$d" -m j c3 s5
expect_err "merge heads only"
refused 'nothing to merge: the targets name c6' merge "$d" -m j c6
refused 'no revisions to merge given' merge "$d" -m j
refused 'parent s5 is given twice' merge "$d" -m j s5 heads
run "$mb" merge "$d" -m "join side" heads --rev-id m7
expect_status 0
expect_stdout <<EOF
$d/m7_join_side.sql
EOF
grep -qx -- "-- Revises: c6, s5" "$d/m7_join_side.sql" || fail "merge parents"
# a merge needs no SQL: the tree builds once the drafts are filled
for f in "$d/${id2}"_*.sql "$d/c3_third.sql" "$d/s4_side_branch.sql" \
    "$d/s5_on_side.sql" "$d/c6_needs_the_role.sql"; do
    fill "$f" "SELECT 1;" "SELECT 2;"
done
run "$mb" check "$d"
expect_status 0

# ---- history, heads, branches: app-migrate's text, byte for byte -------
make_app "$d" "$T/app"
same() { # same ARGS...: migbundle CMD DIR ARGS == app-migrate CMD ARGS
    local cmd=$1
    shift
    run "$mb" "$cmd" "$d" "$@"
    expect_status 0
    cp "$OUT" "$T/mb.out"
    run "$T/app" "$cmd" "$@"
    expect_status 0
    diff -u "$OUT" "$T/mb.out" >&2 || fail "$cmd $*: migbundle differs"
    [ -s "$OUT" ] || fail "$cmd $*: printed nothing"
}
same history
same history -v
same history -r "a1b2:s5"
same history -r "side@base:" -v
same history --format json
same heads
same heads -v
same heads --format json
same branches
same branches -v
same branches --format json
run "$mb" history "$d"
expect_stdout <<EOF
c6, s5 -> m7 (side) (head) (mergepoint), join side
c3 ($id2) -> c6, needs the role
s4 (c3) -> s5 (side), on side
$id2 -> s4 (side), side branch
$id2 -> c3, third
a1b2c3d4e5f6 -> $id2 (branchpoint), add role column to users (v2)
<base> -> a1b2c3d4e5f6, Create users table
EOF
refused '"current" needs a database' history "$d" -r :current
refused 'invalid range "x"' history "$d" -r x
refused 'no such revision or branch "zz"' history "$d" -r zz:
refused 'invalid option "-r"' heads "$d" -r x:
refused 'unknown output format "xml"' branches "$d" --format xml
run "$mb" heads "$T/m" extra
expect_status 2
# an empty directory has an empty history
mkdir "$T/empty"
run "$mb" history "$T/empty"
expect_status 0
[ ! -s "$OUT" ] || fail "history of an empty directory printed something"
echo ok

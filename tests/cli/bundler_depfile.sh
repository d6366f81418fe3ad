#!/usr/bin/env bash
# bundler_depfile.sh -- `migbundle build --depfile`: the depfile names the
# output and, as absolute paths with spaces escaped, the migrations
# directory, every directory under it and every revision file, and
# nothing else; plain make driven by it re-bundles after an edit, an
# added revision and a deleted one, and not otherwise.
. "$(dirname "$0")/lib.sh"

command -v make >/dev/null || { echo "skipped: make is not installed"; exit 77; }

dir="$T/my migrations"
mkdir -p "$dir/sub" "$dir/sub/deeper" "$dir/empty"
rev() { # rev RELPATH ID PARENT
    cat >"$dir/$1" <<EOF
-- revision $2
--
-- Revision ID: $2
-- Revises: $3

-- migrate:up
CREATE TABLE t_$2 (id INTEGER);

-- migrate:down
DROP TABLE t_$2;
EOF
}
rev "0001 first.sql" a1 ""
rev "sub/0002_second.sql" b2 a1
rev "sub/deeper/0003_third.sql" c3 b2
echo "not a revision" >"$dir/README.md"
echo "-- backup" >"$dir/sub/0002_second.sql~"

cd "$T" || fail "cd $T"
run "$MIGBUNDLE" build "my migrations" -o out.c --depfile out.d
expect_status 0
[ -s out.d ] || fail "no depfile written"

# The dependencies of out.c: the first rule, continuation lines joined.
esc() { printf '%s' "$1" | sed 's/ /\\ /g'; }
rule=$(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' out.d | head -n 1)
case $rule in
"out.c: "*) ;;
*) fail "depfile does not start with \"out.c: \": $rule" ;;
esac
deps=$(sed 's/^out\.c: *//; s/\([^\\]\) \+/\1\n/g' <<<"$rule" | sed '/^$/d')
want=$(printf '%s\n' "$T/my migrations" "$T/my migrations/empty" \
    "$T/my migrations/sub" "$T/my migrations/sub/deeper" \
    "$T/my migrations/0001 first.sql" "$T/my migrations/sub/0002_second.sql" \
    "$T/my migrations/sub/deeper/0003_third.sql" | while IFS= read -r p; do
    esc "$p"; echo; done)
[ "$(sort <<<"$deps")" = "$(sort <<<"$want")" ] || {
    diff <(sort <<<"$want") <(sort <<<"$deps") >&2
    fail "depfile lists the wrong dependencies (want vs got above)"
}
grep -q 'README\|~' out.d && fail "depfile lists files that are not revisions"

# Plain make, driven by the depfile.
cat >Makefile <<EOF
out.c:
	"$MIGBUNDLE" build "my migrations" -o out.c --depfile out.d
-include out.d
EOF
make -s
make -q out.c || fail "make thinks out.c is stale right after a build"

rebuilt() { # rebuilt WHAT: make re-bundles, and out.c then changed
    cp out.c before.c
    make -q out.c && fail "make does not re-bundle after $1"
    make -s >make.log 2>&1 || { cat make.log >&2; fail "make failed after $1"; }
    cmp -s before.c out.c && fail "out.c did not change after $1"
    make -q out.c || fail "out.c still stale after rebuilding for $1"
}
printf -- '-- edited\n' >>"$dir/sub/deeper/0003_third.sql"
rebuilt "an edit"
rev "sub/0004_fourth.sql" d4 c3
rebuilt "adding a revision to a subdirectory"
grep -qF "$(esc "$dir/sub/0004_fourth.sql")" out.d || fail "added file not in the depfile"
rm "$dir/sub/0004_fourth.sql"
rebuilt "deleting a revision"
grep -q '0004_fourth' out.d && fail "deleted file still in the depfile"
rm -r "$dir/empty"
make -s >make.log 2>&1 || { cat make.log >&2; fail "make failed after deleting a directory"; }
grep -q '/empty' out.d && fail "deleted directory still in the depfile"

# A relative DIR is made absolute from the current directory.
mkdir -p "$T/elsewhere"
cd "$T/elsewhere" || fail "cd elsewhere"
run "$MIGBUNDLE" build "../my migrations" -o o.c --depfile o.d
expect_status 0
grep -qF "$(esc "$T/elsewhere/../my migrations/sub/0002_second.sql")" o.d ||
    fail "relative DIR not made absolute: $(cat o.d)"

echo "ok bundler_depfile"

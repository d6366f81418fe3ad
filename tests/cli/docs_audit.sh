#!/usr/bin/env bash
# docs_audit.sh -- docs/audit.md's recipe, executed: every block marked
# "audit-recipe" runs, in order, on the sample release (its setup block
# replaced by this test's paths), and what it prints is compared with what
# app-migrate prints; an edited revision file is then reported by it.
. "$(dirname "$0")/lib.sh"

command -v xxhsum >/dev/null || fail "xxhsum is not installed (scripts/deps.sh installs it)"
page=$MB_SOURCE_DIR/docs/audit.md

# block NAME: the sh block after "<!-- audit-recipe: NAME -->"
block() {
    awk -v want="<!-- audit-recipe: $1 -->" '
        $0 == want { found = 1; next }
        found && /^```sh$/ { inside = 1; next }
        inside && /^```$/ { exit }
        inside { print }' "$page"
}
names=$(sed -n 's/^<!-- audit-recipe: \([a-z]*\) -->$/\1/p' "$page")
[ "$(echo "$names" | tr '\n' ' ')" = "setup manifest gate files digest log verify drift signature " ] ||
    fail "audit.md's recipe blocks changed: $(echo "$names" | tr '\n' ' ') (update this test)"
for n in $names; do
    [ -n "$(block "$n")" ] || fail "audit-recipe $n has no sh block"
done
block setup | grep -q '^APP=' || fail "the setup block no longer sets APP"

# the audited release: the sample, signed, applied to a SQLite database
work=$T/work
mkdir "$work"
cp -R "$MB_SOURCE_DIR/samples/migrations" "$work/migrations"
openssl genpkey -algorithm ed25519 -out "$T/release-key.pem" 2>/dev/null ||
    fail "openssl genpkey failed"
openssl pkey -in "$T/release-key.pem" -pubout -out "$work/release-pub.pem"
make_app "$work/migrations" "$work/app-migrate" --sign "$T/release-key.pem"
"$work/app-migrate" -d "sqlite:$work/app.db" up -q || fail "up failed"
setup="APP=$work/app-migrate; DB=sqlite:$work/app.db; DIR=$work/migrations"
setup="$setup; PUB=$work/release-pub.pem"

# recipe NAME...: run the blocks in the work directory; $OUT, $ERR, $STATUS
recipe() {
    local n
    { echo "set -e"; echo "$setup"; for n in "$@"; do block "$n"; done; } \
        >"$T/recipe.sh"
    run bash -c "cd '$work' && bash '$T/recipe.sh'"
}

recipe manifest
expect_status 0
"$work/app-migrate" manifest >"$T/manifest"
diff -u "$T/manifest" "$OUT" >&2 || fail "manifest block"
digest=$(sed -n 's/^digest: \([0-9a-f]*\) .*/\1/p' "$T/manifest")

recipe gate
expect_status 0
expect_out "bundle: ok (9 revisions, digest $digest)"

recipe files
expect_status 0
expect_stdout <<'EOF'
the executable carries exactly these files
EOF
[ "$(wc -l <"$work/files.txt")" = 9 ] || fail "files.txt lists $(wc -l <"$work/files.txt") files"

recipe digest
expect_status 0
expect_stdout <<EOF
$digest
EOF

recipe log
expect_status 0
[ "$(grep -c ' up .* ok ' "$OUT")" = 9 ] || fail "log does not show the 9 revisions applied"
expect_out "CREATE TABLE projects"

recipe verify
expect_status 0
expect_out "database: ok (9 applied revisions match the bundle)"

recipe drift
expect_status 0
expect_out "schema: ok"

recipe signature
expect_status 0
"$work/app-migrate" manifest >"$T/manifest"
fp=$(sed -n 's/^signed-by: ed25519 sha256:\([0-9a-f]*\) (valid)$/\1/p' "$T/manifest")
[ ${#fp} = 64 ] || fail "manifest shows no valid signature"
expect_out "signature: ok (ed25519, key sha256:$fp, the one --key names)"
expect_out "Signature Verified Successfully"
expect_out "$fp *stdin"

# an edited revision file is found by the files and digest blocks, and the
# gate refuses an executable built from it
sed -i 's/CREATE TABLE projects/CREATE TABLE  projects/' \
    "$work"/migrations/1a7c3e90b2d4_*.sql
recipe files
expect_status 1
expect_out "1a7c3e90b2d4_create_projects_table.sql"
recipe digest
expect_status 0
[ "$(cat "$OUT")" != "$digest" ] || fail "the digest block missed the edit"
make_app "$work/migrations" "$T/other"
run "$T/other" -d "sqlite:$work/app.db" verify --expect-digest "$digest"
expect_status 3
expect_out "as --expect-digest requires"
# the signature covers the digest of the files: openssl now refuses it
# (recipe blocks run under set -e: the verify --key line passes, the
# release is unchanged; openssl's failure ends the block)
recipe digest signature
expect_status 1
expect_out "Signature Verification Failure"
# and the unsigned rebuild is refused by the key
run "$T/other" -d "sqlite:$work/app.db" verify --key "$work/release-pub.pem"
expect_status 3
expect_out "the bundle is not signed"
echo "ok"

#!/usr/bin/env bash
# checksum_xxhsum.sh -- the embedded checksums are `xxhsum -H2` of the
# canonical bytes; CRLF line endings or a BOM keep a checksum, any other
# edit changes it.
. "$(dirname "$0")/lib.sh"

command -v xxhsum >/dev/null || fail "xxhsum is not installed (scripts/deps.sh installs it)"
revision a1 "" "é unicode message" "CREATE TABLE t (x TEXT DEFAULT 'ü');" "DROP TABLE t;"
revision b2 a1 "two" "SELECT 1;" "SELECT 2;"
make_app "$T/revs" "$T/app"

# 1. LF files without BOM: the manifest's checksum is xxhsum -H2 of the file
"$T/app" manifest >"$T/manifest"
for f in "$T"/revs/*.sql; do
    want=$(xxhsum -H2 "$f" | cut -d' ' -f1)
    grep -q "^$want $(basename "$f" | cut -d_ -f1) $(basename "$f")$" "$T/manifest" ||
        fail "checksum of $(basename "$f") is not xxhsum -H2 ($want)"
done

# 2. CRLF + BOM: same checksums; xxhsum of the canonical bytes agrees
mkdir "$T/crlf"
for f in "$T"/revs/*.sql; do
    { printf '\xef\xbb\xbf'; sed 's/$/\r/' "$f"; } >"$T/crlf/$(basename "$f")"
done
cmp -s "$T/revs/a1_x.sql" "$T/crlf/a1_x.sql" && fail "conversion did nothing"
make_app "$T/crlf" "$T/app.crlf"
"$T/app.crlf" manifest | grep -v '^generator' >"$T/m2"
grep -v '^generator' "$T/manifest" >"$T/m1"
diff "$T/m1" "$T/m2" || fail "CRLF/BOM changed a checksum or the digest"
canon=$(tail -c +4 "$T/crlf/a1_x.sql" | sed 's/\r$//' | xxhsum -H2 | cut -d' ' -f1)
grep -q "^$canon a1 " "$T/m2" || fail "canonical bytes do not hash to the checksum"

# 3. the bundle digest is the documented text hashed with xxhsum -H2
text=$(printf 'migbundle-digest-v1\n'; awk 'f {print $2, $1} /^revisions: /{f=1}' "$T/manifest" | sort)
want=$(printf '%s\n' "$text" | xxhsum -H2 | cut -d' ' -f1)
grep -q "^digest: $want " "$T/manifest" || fail "bundle digest is not $want"

# 4. any other edit changes the checksum: one added space, one case change
cp -R "$T/revs" "$T/edit"
sed -i 's/SELECT 1;/SELECT  1;/' "$T/edit/b2_x.sql"
make_app "$T/edit" "$T/app.edit"
old=$(grep ' b2 ' "$T/manifest" | cut -d' ' -f1)
new=$("$T/app.edit" manifest | grep ' b2 ' | cut -d' ' -f1)
[ "$old" != "$new" ] || fail "an edit kept the checksum"
sed -i 's/Create Date: 2026/Create Date: 2027/' "$T/edit/a1_x.sql"
make_app "$T/edit" "$T/app.edit2"
[ "$(grep ' a1 ' "$T/manifest" | cut -d' ' -f1)" != \
  "$("$T/app.edit2" manifest | grep ' a1 ' | cut -d' ' -f1)" ] ||
    fail "a header edit kept the checksum"
echo "ok"

#!/usr/bin/env bash
# bundler_determinism.sh -- the same revision files give a byte-identical
# generated file whatever the working directory, the way DIR is spelled,
# the locale, the time zone, the umask and the order the files were
# created in; one changed byte changes it; CRLF line endings and a BOM
# change nothing (the checksum is over the canonical form).
. "$(dirname "$0")/lib.sh"

tree=$T/tree
write_rev() { # write_rev PATH ID PARENT MESSAGE
    mkdir -p "$(dirname "$tree/$1")"
    {
        printf -- '-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n' \
            "$4" "$2" "$3"
        printf -- '-- Create Date: 2026-01-01 00:00:00\n-- Branch Labels:\n'
        printf -- '-- Depends On:\n\n-- migrate:up\n'
        printf -- 'CREATE TABLE t_%s (id INTEGER, note TEXT);\n' "$2"
        printf -- "INSERT INTO t_%s VALUES (1, 'héllo wörld');\n\n" "$2"
        printf -- '-- migrate:down\nDROP TABLE t_%s;\n' "$2"
    } >"$tree/$1"
}
write_rev 0001_base.sql a1 "" "create the base table"
write_rev 0002_users.sql b2 a1 "créer les utilisateurs"
write_rev 2026/0003_more.sql c3 b2 "more, in a subdirectory"
write_rev 2026/01/0004_deeper.sql d4 c3 "deeper still"
write_rev 2026.sql/0005_dir_named_sql.sql e5 d4 "in a directory named *.sql"
write_rev Z_upper.sql f6 e5 "an upper-case name sorts before lower case"
write_rev a_lower.sql g7 f6 "日本語のメッセージ"
echo "ignored" >"$tree/README.md"

# The reference: relative DIR, C locale, UTC, umask 022.
(cd "$T" && umask 022 && LC_ALL=C TZ=UTC "$MIGBUNDLE" build tree -o ref.c) ||
    fail "reference build failed"
grep -q 'from 7 revisions' "$T/ref.c" || fail "expected 7 revisions"
grep -qF "$T" "$T/ref.c" && fail "the output holds an absolute path"

same() { # same FILE WHAT: FILE is byte-identical to ref.c
    cmp "$T/ref.c" "$1" || {
        diff "$T/ref.c" "$1" | head -20 >&2
        fail "$2 changed the output"
    }
}

# Absolute DIR from another directory, UTF-8 locale, other zone and umask.
(cd / && umask 077 && LC_ALL=C.UTF-8 TZ=Asia/Tokyo \
    "$MIGBUNDLE" build "$tree" -o "$T/abs.c") || fail "absolute build failed"
same "$T/abs.c" "an absolute DIR, LC_ALL=C.UTF-8, TZ and umask"

# DIR spelled with a trailing slash and through "..", from a subdirectory.
(cd "$tree/2026" && LANG=C.UTF-8 LC_ALL='' TZ=America/New_York \
    "$MIGBUNDLE" build ../../tree/ -o ../../dotdot.c) ||
    fail "build from a subdirectory failed"
same "$T/dotdot.c" "DIR spelled ../../tree/"

# A copy whose files and directories were created in reverse order.
rev=$T/reversed
mkdir "$rev"
(cd "$tree" && find . -type f | LC_ALL=C sort -r) | while read -r f; do
    mkdir -p "$rev/$(dirname "$f")"
    cp "$tree/$f" "$rev/$f"
done
(cd "$T" && mv tree tree.orig && mv reversed tree &&
    "$MIGBUNDLE" build tree -o reversed.c && mv tree reversed &&
    mv tree.orig tree) || fail "build of the reversed copy failed"
same "$T/reversed.c" "creating the files in reverse order"

# Twice in a row, a second apart: nothing depends on the time.
sleep 1
(cd "$T" && "$MIGBUNDLE" build tree -o again.c) || fail "rebuild failed"
same "$T/again.c" "building again later"

# CRLF line endings everywhere and a BOM on some files: same checksums,
# same payloads (the canonical form), hence the same file.
crlf=$T/crlf
cp -R "$tree" "$crlf"
find "$crlf" -type f -name '*.sql' | while read -r f; do
    sed -i 's/$/\r/' "$f"
done
for f in "$crlf/0001_base.sql" "$crlf/2026/01/0004_deeper.sql"; do
    { printf '\357\273\277'; cat "$f"; } >"$f.bom" && mv "$f.bom" "$f"
done
grep -c $'\r' "$crlf/0002_users.sql" >/dev/null || fail "CRLF not written"
(cd "$T" && mv tree tree.orig && mv crlf tree &&
    "$MIGBUNDLE" build tree -o crlf.c && mv tree crlf && mv tree.orig tree) ||
    fail "build of the CRLF copy failed"
sums() { grep -E '\.(checksum|digest) = ' "$1"; }
[ "$(sums "$T/ref.c" | wc -l)" = 8 ] || fail "expected 7 checksums + digest"
[ "$(sums "$T/ref.c")" = "$(sums "$T/crlf.c")" ] ||
    fail "CRLF/BOM changed a checksum"
same "$T/crlf.c" "CRLF line endings and a BOM"

# One byte changed in one revision: that checksum, the digest and the
# output change; the other checksums do not.
sed -i 's/note TEXT/note TEXt/' "$tree/2026/0003_more.sql"
(cd "$T" && "$MIGBUNDLE" build tree -o changed.c) || fail "build failed"
cmp -s "$T/ref.c" "$T/changed.c" && fail "a changed byte left the output alone"
n=$(diff <(sums "$T/ref.c") <(sums "$T/changed.c") | grep -c '^>') || true
[ "$n" = 2 ] || fail "expected exactly one checksum and the digest to change, got $n lines"

echo "ok bundler_determinism"

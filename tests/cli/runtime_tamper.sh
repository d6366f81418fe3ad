#!/usr/bin/env bash
# runtime_tamper.sh -- integrity: an applied revision edited and rebuilt,
# a version row the bundle does not know, a missing ancestor row, and a
# corrupted payload inside the executable. Each: exit 3 before any SQL,
# one line per difference, database unchanged (dumps compared).
. "$(dirname "$0")/lib.sh"

revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
revision b2 a1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
make_app "$T/revs" "$T/app"
db=$(new_db app)
run "$T/app" -d "$db" up
expect_status 0

# edit applied b2, add c3, rebuild
sed -i 's/t2 (id INTEGER)/t2 (id INTEGER, extra TEXT)/' "$T/revs/b2_x.sql"
revision c3 b2 "three" "CREATE TABLE t3 (id INTEGER);" "DROP TABLE t3;"
make_app "$T/revs" "$T/app2"
before=$(dump "$db")
[ "$MB_TEST_BACKEND" != sqlite ] || cp "$T/app.db" "$T/before.db"
for cmd in up down "down base"; do
    # shellcheck disable=SC2086
    run "$T/app2" -d "$db" $cmd
    expect_status 3
    expect_err "the database does not match this bundle: 1 difference; nothing was changed"
    expect_err "detail: revision b2 (b2_x.sql): recorded checksum"
    [ "$before" = "$(dump "$db")" ] || fail "$cmd changed the database"
    if [ "$MB_TEST_BACKEND" = sqlite ]; then
        cmp -s "$T/app.db" "$T/before.db" || fail "$cmd changed the database file"
    fi
done
run "$T/app2" -d "$db" verify
expect_status 3
expect_out "bundle: ok"
expect_out "database: revision b2 (b2_x.sql): recorded checksum"
run "$T/app2" -d "$db" verify --format json
expect_status 3
expect_out '"ok": false'
expect_out '"revision b2 (b2_x.sql): recorded checksum'

# a version row this bundle does not know
sql "$db" "INSERT INTO migbundle_version VALUES ('ghost', '00000000000000000000000000000000', '2026-01-01T00:00:00.000000Z', 'feedfacefeedfacefeedfacefeedface')"
before=$(dump "$db")
[ "$MB_TEST_BACKEND" != sqlite ] || cp "$T/app.db" "$T/before.db"
run "$T/app" -d "$db" up
expect_status 3
expect_err "revision ghost is recorded as applied (at 2026-01-01T00:00:00.000000Z, by bundle feedfacefeedfacefeedfacefeedface) but this bundle does not contain it"
[ "$before" = "$(dump "$db")" ] || fail "up changed the database"
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    cmp -s "$T/app.db" "$T/before.db" || fail "up changed the database file"
fi
run "$T/app" -d "$db" verify
expect_status 3
expect_out "database: revision ghost is recorded as applied"
run "$T/app" -d "$db" verify --format json
expect_status 3
expect_out '"revision ghost is recorded as applied (at 2026-01-01T00:00:00.000000Z, by bundle feedfacefeedfacefeedfacefeedface) but this bundle does not contain it"'
sql "$db" "DELETE FROM migbundle_version WHERE revision = 'ghost'"

# an applied revision whose parent row is gone
sql "$db" "DELETE FROM migbundle_version WHERE revision = 'a1'"
before=$(dump "$db")
run "$T/app" -d "$db" up
expect_status 3
expect_err "revision b2 is recorded as applied but its parent a1 is not"
[ "$before" = "$(dump "$db")" ] || fail "up changed the database"
run "$T/app" -d "$db" verify --format json
expect_status 3
expect_out '"revision b2 is recorded as applied but its parent a1 is not"'
[ "$before" = "$(dump "$db")" ] || fail "verify changed the database"

# a payload corrupted inside the executable: flip bytes of the compressed
# b2 payload (found by its zlib header after the a1 one) -> exit 3
fresh=$(new_db fresh)
empty=$(dump "$fresh")
python3 - "$T/app" "$T/app.bad" <<'PY'
import sys, zlib
data = bytearray(open(sys.argv[1], 'rb').read())
# find the zlib stream (header 78 xx) that inflates to revision b2
pos = data.find(b'\x78')
while pos >= 0:
    d = zlib.decompressobj()
    try:
        text = d.decompress(bytes(data[pos:pos + 65536]))
    except zlib.error:
        text = b''
    if b'Revision ID: b2' in text and d.eof:
        size = len(data[pos:pos + 65536]) - len(d.unused_data)
        data[pos + size // 2] ^= 0xff
        break
    pos = data.find(b'\x78', pos + 1)
assert pos >= 0, "payload of b2 not found in the executable"
open(sys.argv[2], 'wb').write(data)
PY
chmod +x "$T/app.bad"
run "$T/app.bad" -d "$fresh" up
expect_status 3
expect_err "the embedded bundle is corrupt: 1 problem; nothing was run"
expect_err "is corrupt"
[ "$empty" = "$(dump "$fresh")" ] || fail "a corrupt bundle wrote to the database"
[ "$MB_TEST_BACKEND" = postgres ] || [ ! -e "$T/fresh.db" ] ||
    fail "a corrupt bundle created the database file"
run "$T/app.bad" -d "$fresh" verify
expect_status 3
expect_out "embedded payload of revision b2 (b2_x.sql) is corrupt: its stored bytes do not match their checksum"
run "$T/app.bad" -d "$fresh" verify --format json
expect_status 3
expect_out '"embedded payload of revision b2 (b2_x.sql) is corrupt: its stored bytes do not match their checksum"'
# read commands check the bundle first too
for cmd in current manifest history; do
    # shellcheck disable=SC2086
    run "$T/app.bad" -d "$fresh" $cmd
    expect_status 3
    expect_err "the embedded bundle is corrupt: 1 problem; nothing was run"
    [ ! -s "$OUT" ] || fail "$cmd printed from a corrupt bundle"
done
[ "$empty" = "$(dump "$fresh")" ] || fail "a corrupt bundle wrote to the database"
# sql prints nothing of a payload that does not inflate and verify
run "$T/app.bad" sql b2
expect_status 3
expect_err "embedded payload of revision b2 (b2_x.sql) is corrupt"
[ ! -s "$OUT" ] || fail "sql printed a corrupt payload"

# the recorded checksum of b2 changed inside the executable (one hex
# digit), its payload intact: the start-up check does not inflate payloads,
# the bundle digest and b2's metadata checksum find it -> exit 3; verify
# also re-hashes the payload
sum=$("$T/app" manifest | awk '$2 == "b2" { print $1 }')
[ ${#sum} -eq 32 ] || fail "no checksum of b2 in the manifest"
python3 - "$T/app" "$T/app.sum" "$sum" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
old = sys.argv[3].encode()
assert data.count(old) == 1, "the checksum of b2 is not in the executable once"
pos = data.find(old) + len(old) - 1
data[pos] = ord('0') if data[pos] != ord('0') else ord('1')
open(sys.argv[2], 'wb').write(data)
PY
chmod +x "$T/app.sum"
run "$T/app.sum" -d "$fresh" up
expect_status 3
expect_err "the embedded bundle is corrupt: 2 problems; nothing was run"
expect_err "embedded revision b2 (b2_x.sql) is corrupt: its metadata"
expect_err "does not match the embedded revisions"
[ "$empty" = "$(dump "$fresh")" ] || fail "a changed checksum wrote to the database"
run "$T/app.sum" -d "$fresh" verify
expect_status 3
expect_out "embedded payload of revision b2 (b2_x.sql) does not match its checksum"
expect_out "does not match the embedded revisions"
# sql, a read command, checks the bundle first as every command does
run "$T/app.sum" sql b2
expect_status 3
expect_err "the embedded bundle is corrupt: 2 problems; nothing was run"
[ ! -s "$OUT" ] || fail "sql printed a payload that does not match its checksum"

# verify --expect-digest: the gate of a site that accepts one release only
want=$("$T/app" manifest | sed -n 's/^digest: \([0-9a-f]\{32\}\) .*/\1/p')
[ -n "$want" ] || fail "manifest shows no digest"
gate=$(new_db gate)
run "$T/app" -d "$gate" up
expect_status 0
before=$(dump "$gate")
run "$T/app" -d "$gate" verify --expect-digest "$want"
expect_status 0
run "$T/app" -d "$gate" verify --expect-digest "$(echo "$want" | tr a-f A-F)"
expect_status 0
other=$("$T/app2" manifest | sed -n 's/^digest: \([0-9a-f]\{32\}\) .*/\1/p')
[ "$other" != "$want" ] || fail "two bundles with one digest"
run "$T/app" -d "$gate" verify --expect-digest "$other"
expect_status 3
expect_out "bundle: the bundle digest is $want, not $other as --expect-digest requires"
run "$T/app" -d "$gate" verify --format json --expect-digest "$other"
expect_status 3
expect_out "\"problems\": [\"the bundle digest is $want, not $other as --expect-digest requires\"]"
for bad in "${want:0:31}" "${want}0" "${want:0:31}g" ""; do
    run "$T/app" -d "$gate" verify --expect-digest "$bad"
    expect_status 2
    expect_err "invalid --expect-digest \"$bad\""
done
run "$T/app" -d "$gate" current --expect-digest "$want"
expect_status 2
expect_err "--expect-digest is for verify"
[ "$before" = "$(dump "$gate")" ] || fail "verify --expect-digest wrote to the database"
echo "ok"

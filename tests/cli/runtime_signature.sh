#!/usr/bin/env bash
# runtime_signature.sh -- signed releases: `migbundle build --sign`, the
# signature in `manifest`, `verify --key` (exit 3 for another key, an
# unsigned release, a signature that does not verify), `up`, `down` and
# `stamp --key` (nothing run from another key's release), the check with
# the openssl command alone, and every refusal of a key (exit 2, nothing
# written, the database untouched).
. "$(dirname "$0")/lib.sh"

key() { # key NAME: NAME.pem (private) and NAME.pub (public) in $T
    openssl genpkey -algorithm ed25519 -out "$T/$1.pem" 2>/dev/null ||
        fail "openssl could not make key $1"
    openssl pkey -in "$T/$1.pem" -pubout -out "$T/$1.pub" ||
        fail "openssl could not write the public half of $1"
}
fingerprint() { # the sha256: fingerprint of a public key file, by openssl
    printf 'sha256:%s' "$(openssl pkey -pubin -in "$1" -outform DER |
        openssl dgst -sha256 -r | cut -d' ' -f1)"
}
field() { # field NAME: the first word after "NAME: " in $OUT
    sed -n "s/^$1: \([^ ]*\).*/\1/p" "$OUT"
}

key release
key other
revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
revision b2 a1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
make_app "$T/revs" "$T/signed" --sign "$T/release.pem"
make_app "$T/revs" "$T/plain"
fp=$(fingerprint "$T/release.pub")
db=$(new_db app)

# --- manifest shows the key's fingerprint and the signature -------------
run "$T/signed" manifest
expect_status 0
expect_out "signed-by: ed25519 $fp (valid)"
expect_out "(migbundle-signature-v1)"
digest=$(field digest)
meta=$(field metadata)
sig=$(field signature)
[ ${#sig} = 88 ] || fail "signature is not 88 base64 characters: $sig"
run "$T/signed" manifest --format json
expect_status 0
expect_out "\"signature\": {\"algorithm\": \"ed25519\", \"key_fingerprint\": \"$fp\", \"value\": \"$sig\", \"valid\": true, \"key_matches\": true}"
expect_out "\"bundle_meta\": \"$meta\""
# unsigned: said so, and JSON null
run "$T/plain" manifest
expect_status 0
expect_out "signed-by: (not signed)"
run "$T/plain" manifest --format json
expect_out '"signature": null'
# the same revisions give the same digest and metadata, signed or not
run "$T/plain" manifest
[ "$(field digest)/$(field metadata)" = "$digest/$meta" ] ||
    fail "signing changed the digest or the metadata checksum"

# --- the openssl command alone verifies it (docs/audit.md) ---------------
printf 'migbundle-signature-v1\ndigest %s\nmeta %s\n' "$digest" "$meta" \
    >"$T/signed.txt"
printf '%s' "$sig" | openssl base64 -d -A >"$T/release.sig"
run openssl pkeyutl -verify -pubin -inkey "$T/release.pub" -rawin \
    -in "$T/signed.txt" -sigfile "$T/release.sig"
expect_status 0
expect_out "Signature Verified Successfully"
run openssl pkeyutl -verify -pubin -inkey "$T/other.pub" -rawin \
    -in "$T/signed.txt" -sigfile "$T/release.sig"
[ "$STATUS" != 0 ] || fail "openssl accepted the signature with another key"

# --- verify --key --------------------------------------------------------
run "$T/signed" -d "$db" up
expect_status 0
before=$(dump "$db")
run "$T/signed" -d "$db" verify --key "$T/release.pub"
expect_status 0
expect_out "signature: ok (ed25519, key $fp, the one --key names)"
run "$T/signed" -d "$db" verify
expect_status 0
expect_out "signature: ok (ed25519, key $fp)"
# another key: exit 3, both fingerprints named
ofp=$(fingerprint "$T/other.pub")
run "$T/signed" -d "$db" verify --key "$T/other.pub"
expect_status 3
expect_out "bundle: the bundle is signed by key $fp, not by $ofp as --key requires"
expect_err "verification failed: 1 problem"
run "$T/signed" -d "$db" verify --key "$T/other.pub" --format json
expect_status 3
expect_out '"valid": true, "key_matches": false}'
expect_out '"ok": false'
# an unsigned release where a key is required
run "$T/plain" -d "$db" verify --key "$T/release.pub"
expect_status 3
expect_out "bundle: the bundle is not signed; --key requires a signature by $fp"
run "$T/plain" -d "$db" verify --key "$T/release.pub" --format json
expect_status 3
expect_out '"signature": null'
# a release rebuilt from edited revisions and signed with another key
cp -R "$T/revs" "$T/revs2"
sed -i 's/t2 (id INTEGER)/t2 (id INTEGER, x TEXT)/' "$T/revs2/b2_x.sql"
make_app "$T/revs2" "$T/forged" --sign "$T/other.pem"
run "$T/forged" -d "$db" verify --key "$T/release.pub"
expect_status 3
expect_out "not by $fp as --key requires"
expect_out "database: revision b2 (b2_x.sql): recorded checksum"
[ "$before" = "$(dump "$db")" ] || fail "verify changed the database"

# --- a signature that does not verify ------------------------------------
# one hex digit of the signature changed in the generated C, relinked
# (its literal is on the line after the field's name)
sed '/\.signature =/{n;s/"0/"1/;t;s/"[0-9a-f]/"0/}' "$T/signed.c" >"$T/bad.c"
cmp -s "$T/signed.c" "$T/bad.c" && fail "the signature was not edited"
# shellcheck disable=SC2086
"$CC" $MB_CFLAGS -o "$T/bad" "$T/bad.c" $MB_LIBS || fail "could not link"
run "$T/bad" manifest
expect_status 3
expect_out "signed-by: ed25519 $fp (DOES NOT VERIFY)"
expect_err "detail: the release signature does not verify with the bundle's key $fp"
run "$T/bad" -d "$db" verify
expect_status 3
expect_out "bundle: the release signature does not verify"
# a malformed signature record: a key that is not hex
sed '/\.signer_key =/{s/= "[0-9a-f]/= "z/;t;n;s/"[0-9a-f]/"z/}' \
    "$T/signed.c" >"$T/bad2.c"
cmp -s "$T/signed.c" "$T/bad2.c" && fail "the key was not edited"
# shellcheck disable=SC2086
"$CC" $MB_CFLAGS -o "$T/bad2" "$T/bad2.c" $MB_LIBS || fail "could not link"
run "$T/bad2" -d "$db" verify
expect_status 3
expect_out "bundle: the bundle's signature record is malformed: the signer's key is not 64 hexadecimal digits"
run "$T/bad2" manifest
expect_status 3
expect_out "signed-by: (malformed signature record)"
run "$T/bad2" manifest --format json
expect_status 3
expect_out '"signature": {"algorithm": "ed25519", "key_fingerprint": null, "value": null, "valid": false, "key_matches": true}'
# and a signature that is not hex
sed '/\.signature =/{n;s/"[0-9a-f]/"z/}' "$T/signed.c" >"$T/bad3.c"
cmp -s "$T/signed.c" "$T/bad3.c" && fail "the signature was not edited"
# shellcheck disable=SC2086
"$CC" $MB_CFLAGS -o "$T/bad3" "$T/bad3.c" $MB_LIBS || fail "could not link"
run "$T/bad3" -d "$db" verify
expect_status 3
expect_out "bundle: the bundle's signature record is malformed: the signature is not 128 hexadecimal digits"
[ "$before" = "$(dump "$db")" ] || fail "a bad signature changed the database"

# --- keys verify --key refuses: exit 2 before anything is read -----------
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 \
    -out "$T/rsa.pem" 2>/dev/null || fail "openssl rsa"
openssl pkey -in "$T/rsa.pem" -pubout -out "$T/rsa.pub"
for case in "missing.pub|cannot read the key $T/missing.pub: No such file or directory" \
    "release.pem|hint: give the public half of the release key: openssl pkey -in KEY.pem -pubout -out PUB.pem" \
    "rsa.pub|is not an Ed25519 key (it holds RSA)"; do
    run "$T/signed" -d "$db" verify --key "$T/${case%%|*}"
    expect_status 2
    expect_err "${case#*|}"
done
[ "$before" = "$(dump "$db")" ] || fail "a refused key changed the database"

# --- keys build --sign refuses: exit 2, no file written ------------------
openssl pkey -in "$T/release.pem" -aes256 -passout pass:secret \
    -out "$T/encrypted.pem" 2>/dev/null || fail "openssl pkey -aes256"
for case in "missing.pem|cannot read the signing key $T/missing.pem: No such file or directory" \
    "encrypted.pem|is encrypted; migbundle reads unencrypted keys only" \
    "rsa.pem|is not an Ed25519 key (it holds RSA)" \
    "release.pub|holds no PEM private key"; do
    run "$MIGBUNDLE" build "$T/revs" -o "$T/refused.c" --sign "$T/${case%%|*}"
    expect_status 2
    expect_err "${case#*|}"
    [ ! -e "$T/refused.c" ] || fail "build --sign ${case%%|*} wrote its output"
done

# --- up, down, stamp --key: a run only from a release signed by the key --
db3=$(new_db gated)
run "$T/plain" -d "$db3" up --key "$T/release.pub"
expect_status 3
expect_err "this release is not signed by the key $T/release.pub names ($fp); nothing was run"
expect_err "detail: the bundle is not signed; --key requires a signature by $fp"
run "$T/forged" -d "$db3" up --key "$T/release.pub"
expect_status 3
expect_err "detail: the bundle is signed by key $(fingerprint "$T/other.pub"), not by $fp as --key requires"
for cmd in "down base" "stamp a1" "up --sql --dialect sqlite"; do
    # shellcheck disable=SC2086
    run "$T/forged" -d "$db3" $cmd --key "$T/release.pub"
    expect_status 3
    expect_err "nothing was run"
    [ ! -s "$OUT" ] || fail "$cmd --key printed from another key's release"
done
if [ "$MB_TEST_BACKEND" = sqlite ]; then
    [ ! -e "${db3#sqlite:}" ] || fail "a refused --key created the database"
else
    [ -z "$(sql "$db3" "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")" ] ||
        fail "a refused --key created tables"
fi
run "$T/signed" -d "$db3" up --key "$T/other.pub"
expect_status 3
run "$T/signed" -d "$db3" up --key "$T/release.pem"
expect_status 2
expect_err "holds no PEM public key"
run "$T/signed" -d "$db3" up --key "$T/release.pub"
expect_status 0
run "$T/signed" -d "$db3" down base --key "$T/release.pub"
expect_status 0
run "$T/signed" -d "$db3" stamp a1 --key "$T/release.pub"
expect_status 0
run "$T/signed" -d "$db3" current --key "$T/release.pub"
expect_status 2

# --- a signed release runs like any other ---------------------------------
db2=$(new_db fresh)
run "$T/signed" -d "$db2" up
expect_status 0
run "$T/signed" -d "$db2" down base
expect_status 0
echo "ok"

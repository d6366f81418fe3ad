/*
 * mb/sign.h -- release signatures: an Ed25519 signature over the bundle
 * digest and the bundle's metadata checksum, checked with OpenSSL.
 *
 * `migbundle build --sign KEY.pem` signs the text of MB_SIGNATURE_FORMAT
 * (docs/format.md, "Signature") and records the public key and the
 * signature in the bundle. The bundle's metadata checksum covers every
 * field the runtime acts on and binds every revision's, so one signature
 * over two checksums covers the whole release. The signature is not
 * itself under a checksum: it is checked against its key, and the key by
 * its fingerprint (or against the key a site names with verify --key).
 */
#ifndef MB_SIGN_H
#define MB_SIGN_H

#include "mb/buf.h"
#include "mb/checksum.h"
#include "mb/bundle.h"
#include "mb/error.h"
#include "mb/verify.h"

#define MB_ED25519_KEY_LEN 32 /* raw public key bytes */
#define MB_ED25519_SIG_LEN 64
#define MB_SIGNER_KEY_HEX (2 * MB_ED25519_KEY_LEN)
#define MB_SIGNATURE_HEX (2 * MB_ED25519_SIG_LEN)
/* "sha256:" and 64 hex digits: SHA-256 of the DER SubjectPublicKeyInfo */
#define MB_KEY_FINGERPRINT_LEN (7 + 64)
/* base64 of the 64 signature bytes, without a newline */
#define MB_SIGNATURE_B64_LEN 88

/**
 * Append the signed text of b to out: MB_SIGNATURE_FORMAT, the digest and
 * the metadata checksum, one line each, every line ending in a newline.
 */
int mb_signature_text(mb_buf *out, const mb_bundle *b, mb_error *err);

/** A raw Ed25519 public key and its fingerprint. */
typedef struct mb_pubkey {
    unsigned char raw[MB_ED25519_KEY_LEN];
    char fingerprint[MB_KEY_FINGERPRINT_LEN + 1];
} mb_pubkey;

/**
 * Read an Ed25519 public key from a PEM file (`openssl pkey -pubout`).
 * MB_EUSAGE when path cannot be read, holds no PEM public key (a private
 * key included), or a key of another algorithm.
 */
int mb_pubkey_read(mb_pubkey *key, const char *path, mb_error *err);

/** What mb_signature_check() found. */
typedef struct mb_signature_state {
    int is_signed;    /* 1: the bundle carries a signature */
    int valid;        /* 1: it verifies with the bundle's key */
    int key_matches;  /* 1: no expected key, or the bundle's is it */
    char fingerprint[MB_KEY_FINGERPRINT_LEN + 1]; /* of the bundle's key */
    char b64[MB_SIGNATURE_B64_LEN + 1];           /* the signature */
} mb_signature_state;

/**
 * Check b's signature: against the key b carries, and, when expected is
 * not NULL, that this key is expected. Each problem (a signature that
 * does not verify, a malformed one, a missing one when a key is expected,
 * another key) is added to rep. Call after mb_bundle_selfcheck() found
 * b's digest and metadata checksum right. MB_OK, or a hard error.
 */
int mb_signature_check(const mb_bundle *b, const mb_pubkey *expected,
                       mb_signature_state *st, mb_report *rep,
                       mb_error *err);

#endif

/*
 * signer.h -- `migbundle build --sign KEY.pem`: sign a bundle with an
 * Ed25519 private key (the runtime's side is mb/sign.h).
 */
#ifndef MB_BUNDLER_SIGNER_H
#define MB_BUNDLER_SIGNER_H

#include "mb/bundle.h"
#include "mb/error.h"
#include "mb/sign.h"

/** The hex fields a signed bundle records (mb_bundle.signer_key and
 * mb_bundle.signature). */
typedef struct mb_release_signature {
    char key[MB_SIGNER_KEY_HEX + 1];
    char sig[MB_SIGNATURE_HEX + 1];
} mb_release_signature;

/**
 * Sign b (its digest and meta_checksum set) with the unencrypted PEM
 * private key in path (`openssl genpkey -algorithm ed25519`). MB_EUSAGE
 * for a key that cannot be read, is encrypted, or is not Ed25519.
 */
int mb_sign_bundle(mb_release_signature *out, const mb_bundle *b,
                   const char *path, mb_error *err);

#endif

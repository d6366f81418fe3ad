/*
 * signer.c -- sign a bundle with an Ed25519 private key (see signer.h).
 *
 * The key is read in an OSSL_LIB_CTX of its own, like the runtime's
 * checks (runtime/sign.c): no openssl.cnf takes part. An encrypted key is
 * refused rather than prompted for: a build has no terminal to ask on,
 * and a CI secret is a file. The signature is checked against the public
 * half before it is written, so a build never records one that the
 * runtime would reject.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "signer.h"

/* Called by OpenSSL for an encrypted key: note it and give no password. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(int *)u = 1;
    return -1;
}

static int read_key(EVP_PKEY **pkey, const char *path, OSSL_LIB_CTX *lib,
                    mb_error *err)
{
    BIO *in = BIO_new_file(path, "r");
    int encrypted = 0, rc = MB_OK;

    if (in == NULL) {
        int e = errno;

        ERR_clear_error();
        return mb_error_set(err, MB_EUSAGE, "cannot read the signing key "
                            "%s: %s", path, strerror(e));
    }
    *pkey = PEM_read_bio_PrivateKey_ex(in, NULL, no_password, &encrypted,
                                       lib, NULL);
    ERR_clear_error();
    if (*pkey == NULL && encrypted) {
        rc = mb_error_set(err, MB_EUSAGE, "the signing key %s is encrypted; "
                          "migbundle reads unencrypted keys only", path);
        mb_error_hint(err, "keep the key in a file only the build can read, "
                      "unencrypted: openssl pkey -in %s -out KEY.pem", path);
    } else if (*pkey == NULL) {
        rc = mb_error_set(err, MB_EUSAGE, "%s holds no PEM private key "
                          "(\"-----BEGIN PRIVATE KEY-----\")", path);
        mb_error_hint(err, "make one with: openssl genpkey -algorithm "
                      "ed25519 -out KEY.pem");
    } else if (!EVP_PKEY_is_a(*pkey, "ED25519")) {
        rc = mb_error_set(err, MB_EUSAGE, "the signing key %s is not an "
                          "Ed25519 key (it holds %s)", path,
                          EVP_PKEY_get0_type_name(*pkey));
        mb_error_hint(err, "make one with: openssl genpkey -algorithm "
                      "ed25519 -out KEY.pem");
    }
    BIO_free(in);
    return rc;
}

int mb_sign_bundle(mb_release_signature *out, const mb_bundle *b,
                   const char *path, mb_error *err)
{
    OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY *pkey = NULL;
    unsigned char raw[MB_ED25519_KEY_LEN], sig[MB_ED25519_SIG_LEN];
    size_t rawlen = sizeof raw, siglen = sizeof sig;
    mb_buf text = MB_BUF_INIT;
    mb_bundle signed_ = *b;
    mb_report rep = MB_REPORT_INIT;
    mb_signature_state st;
    int rc;

    if (lib == NULL || md == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = read_key(&pkey, path, lib, err)) < 0 ||
        (rc = mb_signature_text(&text, b, err)) < 0)
        goto done;
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1 ||
        rawlen != sizeof raw ||
        EVP_DigestSignInit_ex(md, NULL, NULL, lib, NULL, pkey, NULL) != 1 ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)text.ptr,
                       text.len) != 1 ||
        siglen != sizeof sig) {
        unsigned long e = ERR_peek_last_error();
        char why[256];

        ERR_error_string_n(e, why, sizeof why);
        rc = mb_error_set(err, MB_ERROR, "cannot sign with %s: %s", path,
                          e ? why : "unknown reason");
        goto done;
    }
    mb_hex_lower(out->key, raw, sizeof raw);
    mb_hex_lower(out->sig, sig, sizeof sig);
    /* what the runtime will check, checked now */
    signed_.signer_key = out->key;
    signed_.signature = out->sig;
    if ((rc = mb_signature_check(&signed_, NULL, &st, &rep, err)) == MB_OK &&
        rep.count > 0)
        rc = mb_error_set(err, MB_ERROR, "the signature made with %s does "
                          "not verify: %.*s", path, (int)rep.text.len - 1,
                          rep.text.ptr);
done:
    ERR_clear_error();
    mb_report_free(&rep);
    mb_buf_free(&text);
    EVP_PKEY_free(pkey);
    EVP_MD_CTX_free(md);
    OSSL_LIB_CTX_free(lib);
    return rc;
}

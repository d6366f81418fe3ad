/*
 * sign.c -- release signatures (see mb/sign.h).
 *
 * Ed25519 (RFC 8032) through OpenSSL 3's EVP interface, which libpq
 * already links. Ed25519 signs the message itself ("pure" mode, no
 * separate digest) and is deterministic: the same key and bundle give the
 * same signature, so a signed build stays reproducible. What is signed is
 * a three-line text an auditor can write with printf and check with
 * `openssl pkeyutl -verify -rawin` (docs/audit.md).
 *
 * Every call runs in an OSSL_LIB_CTX of its own. The default context
 * would read the host's openssl.cnf, which a static executable may not be
 * able to honour (a provider module it cannot load) and which should not
 * decide whether a release verifies; a fresh context loads no
 * configuration and falls back to the built-in default provider.
 *
 * The fingerprint of a key is the SHA-256 of its DER SubjectPublicKeyInfo,
 * as `openssl pkey -pubin -outform DER | sha256sum` prints it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "mb/sign.h"

int mb_signature_text(mb_buf *out, const mb_bundle *b, mb_error *err)
{
    int rc;

    if ((rc = mb_buf_puts(out, MB_SIGNATURE_FORMAT "\ndigest ", err)) < 0 ||
        (rc = mb_buf_puts(out, b->digest, err)) < 0 ||
        (rc = mb_buf_puts(out, "\nmeta ", err)) < 0 ||
        (rc = mb_buf_puts(out, b->meta_checksum ? b->meta_checksum : "-",
                          err)) < 0)
        return rc;
    return mb_buf_puts(out, "\n", err);
}

/* OpenSSL's reason for the last failure, or "unknown reason". */
static const char *ossl_reason(char *buf, size_t size)
{
    unsigned long e = ERR_peek_last_error();

    if (e == 0)
        snprintf(buf, size, "unknown reason");
    else
        ERR_error_string_n(e, buf, size);
    ERR_clear_error();
    return buf;
}

/* hex (exactly 2 * n digits, no separators) into n bytes; -1 if not. */
static int unhex(unsigned char *out, size_t n, const char *hex)
{
    size_t len = 0;

    if (hex == NULL || strlen(hex) != 2 * n ||
        OPENSSL_hexstr2buf_ex(out, n, &len, hex, '\0') != 1 || len != n) {
        ERR_clear_error();
        return -1;
    }
    return 0;
}

/* key->raw and key->fingerprint of pkey, an Ed25519 key of any kind. */
static int describe(mb_pubkey *key, EVP_PKEY *pkey, OSSL_LIB_CTX *lib,
                    mb_error *err)
{
    unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
    size_t rawlen = sizeof key->raw, mdlen = 0;
    char why[256];
    int derlen, rc = MB_OK;

    if (EVP_PKEY_get_raw_public_key(pkey, key->raw, &rawlen) != 1 ||
        rawlen != sizeof key->raw ||
        (derlen = i2d_PUBKEY(pkey, &der)) <= 0 ||
        EVP_Q_digest(lib, "SHA256", NULL, der, (size_t)derlen, md,
                     &mdlen) != 1 || mdlen != 32)
        rc = mb_error_set(err, MB_ERROR, "cannot read the Ed25519 public "
                          "key: %s", ossl_reason(why, sizeof why));
    else {
        memcpy(key->fingerprint, "sha256:", 7);
        mb_hex_lower(key->fingerprint + 7, md, mdlen);
    }
    OPENSSL_free(der);
    return rc;
}

/* The key, and fingerprint, of hex (MB_SIGNER_KEY_HEX digits). */
static int key_from_hex(mb_pubkey *key, const char *hex, OSSL_LIB_CTX *lib,
                        mb_error *err)
{
    EVP_PKEY *pkey = NULL;
    int rc;

    if (unhex(key->raw, sizeof key->raw, hex) < 0)
        rc = mb_error_set(err, MB_EINTEGRITY, "the signer's key is not %d "
                          "hexadecimal digits", MB_SIGNER_KEY_HEX);
    else if ((pkey = EVP_PKEY_new_raw_public_key_ex(lib, "ED25519", NULL,
                                                    key->raw,
                                                    sizeof key->raw)) == NULL)
        rc = mb_error_set(err, MB_EINTEGRITY, "the signer's key is not an "
                          "Ed25519 public key");
    else
        rc = describe(key, pkey, lib, err);
    EVP_PKEY_free(pkey);
    return rc;
}

int mb_pubkey_read(mb_pubkey *key, const char *path, mb_error *err)
{
    OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
    EVP_PKEY *pkey = NULL;
    BIO *in = NULL;
    int rc;

    if (lib == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if ((in = BIO_new_file(path, "r")) == NULL) {
        int e = errno;

        ERR_clear_error();
        rc = mb_error_set(err, MB_EUSAGE, "cannot read the key %s: %s", path,
                          strerror(e));
    }
    else if ((pkey = PEM_read_bio_PUBKEY_ex(in, NULL, NULL, NULL, lib,
                                            NULL)) == NULL) {
        ERR_clear_error();
        rc = mb_error_set(err, MB_EUSAGE, "%s holds no PEM public key "
                          "(\"-----BEGIN PUBLIC KEY-----\")", path);
        mb_error_hint(err, "give the public half of the release key: "
                      "openssl pkey -in KEY.pem -pubout -out PUB.pem");
    } else if (!EVP_PKEY_is_a(pkey, "ED25519"))
        rc = mb_error_set(err, MB_EUSAGE, "%s is not an Ed25519 key (it "
                          "holds %s)", path, EVP_PKEY_get0_type_name(pkey));
    else
        rc = describe(key, pkey, lib, err);
    EVP_PKEY_free(pkey);
    BIO_free(in);
    OSSL_LIB_CTX_free(lib);
    return rc;
}

/* 1: sig verifies text with key, 0: it does not, < 0: an error. */
static int ed25519_verify(const mb_pubkey *key, const unsigned char *sig,
                          const mb_buf *text, OSSL_LIB_CTX *lib,
                          mb_error *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY *pkey = NULL;
    char why[256];
    int rc;

    if (md == NULL)
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
    else if ((pkey = EVP_PKEY_new_raw_public_key_ex(lib, "ED25519", NULL,
                                                    key->raw,
                                                    sizeof key->raw)) == NULL ||
             EVP_DigestVerifyInit_ex(md, NULL, NULL, lib, NULL, pkey,
                                     NULL) != 1)
        rc = mb_error_set(err, MB_ERROR, "cannot verify an Ed25519 "
                          "signature: %s", ossl_reason(why, sizeof why));
    else {
        rc = EVP_DigestVerify(md, sig, MB_ED25519_SIG_LEN,
                              (const unsigned char *)text->ptr, text->len)
                     == 1
                 ? 1
                 : 0;
        ERR_clear_error();
    }
    EVP_PKEY_free(pkey);
    EVP_MD_CTX_free(md);
    return rc;
}

static int check_signature(const mb_bundle *b, const mb_pubkey *expected,
                           mb_signature_state *st, mb_report *rep,
                           OSSL_LIB_CTX *lib, mb_error *err);

int mb_signature_check(const mb_bundle *b, const mb_pubkey *expected,
                       mb_signature_state *st, mb_report *rep,
                       mb_error *err)
{
    OSSL_LIB_CTX *lib;
    int rc;

    memset(st, 0, sizeof *st);
    st->key_matches = 1;
    if (b->signer_key == NULL && b->signature == NULL) {
        if (expected == NULL)
            return MB_OK;
        st->key_matches = 0;
        return mb_report_add(rep, err, "the bundle is not signed; --key "
                             "requires a signature by %s",
                             expected->fingerprint);
    }
    /* one context for the key and the signature: creating one costs
     * more than the whole Ed25519 check */
    if ((lib = OSSL_LIB_CTX_new()) == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    rc = check_signature(b, expected, st, rep, lib, err);
    OSSL_LIB_CTX_free(lib);
    return rc;
}

/* mb_signature_check() of a bundle that carries a signature record. */
static int check_signature(const mb_bundle *b, const mb_pubkey *expected,
                           mb_signature_state *st, mb_report *rep,
                           OSSL_LIB_CTX *lib, mb_error *err)
{
    unsigned char sig[MB_ED25519_SIG_LEN];
    mb_pubkey key;
    mb_error e = MB_ERROR_INIT;
    mb_buf text = MB_BUF_INIT;
    int rc = MB_OK, ok;

    st->is_signed = 1;
    if ((rc = key_from_hex(&key, b->signer_key, lib, &e)) < 0 ||
        unhex(sig, sizeof sig, b->signature) < 0) {
        if (rc == MB_ENOMEM) {
            *err = e;
            return rc;
        }
        return mb_report_add(rep, err, "the bundle's signature record is "
                             "malformed: %s", rc < 0 ? e.msg : "the "
                             "signature is not 128 hexadecimal digits");
    }
    memcpy(st->fingerprint, key.fingerprint, sizeof st->fingerprint);
    EVP_EncodeBlock((unsigned char *)st->b64, sig, (int)sizeof sig);
    if (expected != NULL &&
        memcmp(expected->raw, key.raw, sizeof key.raw) != 0) {
        st->key_matches = 0;
        if ((rc = mb_report_add(rep, err, "the bundle is signed by key %s, "
                                "not by %s as --key requires",
                                key.fingerprint, expected->fingerprint)) < 0)
            return rc;
    }
    if ((rc = mb_signature_text(&text, b, err)) < 0 ||
        (ok = ed25519_verify(&key, sig, &text, lib, err)) < 0) {
        mb_buf_free(&text);
        return rc < 0 ? rc : ok;
    }
    mb_buf_free(&text);
    st->valid = ok;
    if (!ok)
        rc = mb_report_add(rep, err, "the release signature does not verify "
                           "with the bundle's key %s (digest %s, metadata "
                           "checksum %s)", key.fingerprint, b->digest,
                           b->meta_checksum ? b->meta_checksum : "none");
    return rc;
}

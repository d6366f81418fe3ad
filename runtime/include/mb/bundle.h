/*
 * mb/bundle.h -- the records a generated bundle is made of.
 *
 * This is THE contract between `migbundle build` and the runtime: the
 * generated C file includes only this header and defines one symbol,
 * `mb_embedded_bundle`. The same mb_revision record also describes a
 * revision parsed from a file (the bundler's revfile.h); there the payload
 * is stored uncompressed (z_len == 0).
 *
 * Any change to these structs must bump MB_BUNDLE_ABI_VERSION.
 */
#ifndef MB_BUNDLE_H
#define MB_BUNDLE_H

#include <stddef.h>

#define MB_BUNDLE_MAGIC 0x4d42554eu /* "MBUN" */
#define MB_BUNDLE_ABI_VERSION 4u

/* Version of the bundle digest definition (see docs/format.md). */
#define MB_DIGEST_FORMAT "migbundle-digest-v1"

/* Versions of the metadata serializations whose XXH3-128 checksums are
 * mb_revision.meta_checksum and mb_bundle.meta_checksum (docs/format.md,
 * "Metadata checksums"). */
#define MB_REVISION_META_FORMAT "migbundle-revision-meta-v1"
#define MB_BUNDLE_META_FORMAT "migbundle-bundle-meta-v1"

/* Version of the text a release signature signs (docs/format.md,
 * "Signature"; mb/sign.h). */
#define MB_SIGNATURE_FORMAT "migbundle-signature-v1"

#define MB_CHECKSUM_HEX 32 /* XXH3-128 as lowercase hex digits */
#define MB_ID_MAX 32       /* [A-Za-z0-9_]{1,32} */

enum mb_section_kind { MB_SECTION_UP = 1, MB_SECTION_DOWN = 2 };

enum mb_dialect {
    MB_DIALECT_ANY = 0, /* generic section, used when no specific one */
    MB_DIALECT_POSTGRESQL = 1,
    MB_DIALECT_SQLITE = 2
};

/* One `-- migrate:up|down` section: a slice of the canonical text. */
typedef struct mb_section {
    int kind;          /* enum mb_section_kind */
    int dialect;       /* enum mb_dialect */
    int transaction;   /* 1: runs inside a transaction (default) */
    unsigned line;     /* line of the marker; SQL starts on line + 1 */
    size_t offset;     /* first byte after the marker line */
    size_t len;        /* bytes up to the next marker or end of file */
} mb_section;

typedef struct mb_revision {
    const char *id;          /* Revision ID */
    const char *path;        /* relative to the migrations directory */
    const char *message;     /* first header line */
    const char *create_date; /* as written; "" when absent */
    const char *const *revises;    /* parents; none for a base */
    unsigned n_revises;
    const char *const *depends_on; /* cross-branch dependencies */
    unsigned n_depends_on;
    const char *const *branch_labels;
    unsigned n_branch_labels;
    unsigned id_line;      /* header lines, for graph errors */
    unsigned revises_line;
    unsigned depends_line;
    unsigned labels_line;
    const mb_section *sections;
    unsigned n_sections;
    const char *checksum;          /* MB_CHECKSUM_HEX digits */
    /* XXH3-128 of the stored bytes data[0..z_len) seeded with raw_len
     * (mb_checksum_stored_hex): lets a start-up check every payload
     * without inflating it. NULL when z_len == 0 (the text is hashed). */
    const char *stored_checksum;
    const unsigned char *data;     /* zlib stream, or text if z_len == 0 */
    size_t z_len;                  /* compressed length; 0: not compressed */
    size_t raw_len;                /* length of the canonical text */
    /* XXH3-128 of MB_REVISION_META_FORMAT's serialization of every other
     * field the runtime acts on (mb_revision_meta_hex); NULL in a record
     * parsed from a file */
    const char *meta_checksum;
} mb_revision;

typedef struct mb_bundle {
    unsigned magic;             /* MB_BUNDLE_MAGIC */
    unsigned abi;               /* MB_BUNDLE_ABI_VERSION */
    const char *name;           /* program name given at bundle time */
    const char *generator;      /* "migbundle X.Y.Z" */
    const mb_revision *revisions; /* sorted by path */
    unsigned n_revisions;
    const char *digest;         /* MB_CHECKSUM_HEX digits */
    const char *default_db;     /* URL or NULL */
    /* XXH3-128 of MB_BUNDLE_META_FORMAT's serialization of the fields
     * above and of every revision's meta_checksum (mb_bundle_meta_hex) */
    const char *meta_checksum;
    /* `migbundle build --sign`: the Ed25519 public key (64 hex digits) and
     * its signature of MB_SIGNATURE_FORMAT's text (128 hex digits); both
     * NULL in an unsigned bundle. Not under meta_checksum: the signature
     * signs it. */
    const char *signer_key;
    const char *signature;
} mb_bundle;

#endif

/*
 * mb/checksum.h -- canonical form and XXH3-128 checksums.
 *
 * The canonical form of a revision file is its bytes with CRLF turned into
 * LF and a leading UTF-8 BOM dropped; nothing else changes. The checksum is
 * XXH3-128 (seed 0) of the canonical form, written as 32 lowercase hex
 * digits in xxHash's canonical (big-endian) byte order: the digits that
 * `xxhsum -H2` prints for the canonical bytes.
 */
#ifndef MB_CHECKSUM_H
#define MB_CHECKSUM_H

#include <stddef.h>
#include "mb/buf.h"
#include "mb/bundle.h"

/** Append the canonical form of text[0..len) to out. */
int mb_canonicalize(mb_buf *out, const char *text, size_t len, mb_error *err);

/** out[0..2n] = the n bytes of in as lowercase hex digits, then '\0'. */
void mb_hex_lower(char *out, const unsigned char *in, size_t n);

/** XXH3-128 of data as hex; out receives MB_CHECKSUM_HEX digits + NUL. */
void mb_checksum_hex(char out[MB_CHECKSUM_HEX + 1], const void *data,
                     size_t len);

/**
 * XXH3-128 of data with seed as hex: the stored checksum of a compressed
 * payload, seeded with its inflated length (mb_revision.stored_checksum).
 */
void mb_checksum_stored_hex(char out[MB_CHECKSUM_HEX + 1], const void *data,
                            size_t len, unsigned long long seed);

/** 1 when s is exactly MB_CHECKSUM_HEX lowercase hex digits. */
int mb_checksum_valid(const char *s);

/**
 * Bundle digest: XXH3-128 over the text
 *   MB_DIGEST_FORMAT "\n" then, for every revision in byte order of id,
 *   ID " " CHECKSUM "\n"
 * so an auditor can recompute it with printf and `xxhsum -H2`.
 */
int mb_bundle_digest(char out[MB_CHECKSUM_HEX + 1], const mb_revision *revs,
                     size_t n, mb_error *err);

/**
 * Metadata checksum of a revision record: XXH3-128 over the text that
 * docs/format.md defines under MB_REVISION_META_FORMAT (id, path, message,
 * date, lists, header lines, checksum, length, section table). The caller
 * checks first that the counts are within MB_REVISION_MAX_*.
 */
int mb_revision_meta_hex(char out[MB_CHECKSUM_HEX + 1], const mb_revision *r,
                         mb_error *err);

/**
 * Metadata checksum of a bundle: XXH3-128 over the text under
 * MB_BUNDLE_META_FORMAT (ABI, name, generator, default URL, digest, and
 * each revision's id and recorded meta_checksum, in array order).
 */
int mb_bundle_meta_hex(char out[MB_CHECKSUM_HEX + 1], const mb_bundle *b,
                       mb_error *err);

/* The first key of PostgreSQL advisory locks ("MB"); the second is
 * mb_lock_number() of the lock key. Online runs and the scripts of
 * --sql take the same lock. */
#define MB_LOCK_CLASS 19778

/** A 31-bit lock number derived from text (XXH3-64, low bits). */
int mb_lock_number(const char *text);

#endif

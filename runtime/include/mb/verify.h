/*
 * mb/verify.h -- integrity: the bundle's own payloads, and the version
 * table against the bundle.
 */
#ifndef MB_VERIFY_H
#define MB_VERIFY_H

#include <stddef.h>
#include "mb/arena.h"
#include "mb/buf.h"
#include "mb/bundle.h"
#include "mb/graph.h"
#include "mb/zip.h"

/** One row of the version table (strings in the set's text, may be ""). */
typedef struct mb_version_row {
    const char *revision;
    const char *checksum;
    const char *applied_at;
    const char *bundle_digest;
} mb_version_row;

typedef struct mb_versions {
    mb_version_row *rows;
    size_t n;
    mb_arena text; /* the rows' strings */
} mb_versions;

#define MB_VERSIONS_INIT {NULL, 0, MB_ARENA_INIT}

void mb_versions_free(mb_versions *v);

/** A list of human-readable problems, one per line, plus their count. */
typedef struct mb_report {
    mb_buf text;   /* lines ending in '\n' */
    size_t count;
} mb_report;

#define MB_REPORT_INIT {MB_BUF_INIT, 0}

int mb_report_add(mb_report *r, mb_error *err, const char *fmt, ...)
    MB_PRINTF(3, 4);
void mb_report_free(mb_report *r);

/**
 * Inflate rev's payload into out and check its length and checksum.
 * MB_EINTEGRITY when the payload does not match what was bundled.
 * inf: a reusable inflater (faster over many payloads), or NULL.
 */
int mb_payload_text(mb_buf *out, mb_inflater *inf, const mb_revision *rev,
                    mb_error *err);

/** How deep mb_bundle_selfcheck() looks at each payload. */
enum mb_selfcheck_depth {
    /* the stored bytes against stored_checksum: any changed byte of a
     * payload, of its lengths or of a checksum is found without inflating
     * anything (a payload that runs is inflated and re-hashed just before,
     * by mb_payload_text()); what up, down and resolve do first */
    MB_SELFCHECK_STORED = 0,
    /* every payload inflated to its length and re-hashed against its
     * checksum as well: what verify does */
    MB_SELFCHECK_DEEP = 1
};

/**
 * Self-check of the embedded bundle: magic and ABI, every payload (depth:
 * enum mb_selfcheck_depth), what no checksum covers in each revision's
 * record (at most MB_REVISION_MAX_SECTIONS sections, each of a valid kind,
 * dialect and transaction flag, inside the text, one per kind and
 * dialect, an up section for every dialect; list counts within
 * MB_REVISION_MAX_ITEMS; the id and every list item an id), each
 * revision's metadata checksum (every field
 * the runtime acts on), the bundle digest and the bundle's metadata
 * checksum. One problem per revision at most. Problems are added to rep; returns MB_OK (check rep->count) or
 * a hard error such as MB_ENOMEM.
 */
int mb_bundle_selfcheck(const mb_bundle *b, int depth, mb_report *rep,
                        mb_error *err);

/**
 * Compare the version table with the bundle. Sets applied[i] for every
 * recorded revision known to the graph and adds a problem for each
 * checksum mismatch, each recorded revision the bundle does not know, and
 * each applied revision whose ancestor is not recorded.
 */
int mb_versions_check(const mb_graph *g, const mb_versions *v,
                      unsigned char *applied, mb_report *rep,
                      mb_error *err);

#endif

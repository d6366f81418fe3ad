/*
 * mb/drift.h -- the schema fingerprint recorded after each run, and the
 * drift of the live schema from it.
 *
 * After every up, down and stamp that succeeds, the runtime appends one
 * row to the fingerprint table (default migbundle_schema, next to the
 * version table): the heads it describes, the canonical text of the user
 * schema (mb/schema.h) without migbundle's own tables, its XXH3-128, the
 * bundle digest and the time. The runtime only ever inserts into it, and
 * the database refuses updates and deletes (triggers, as on the log); the
 * latest row is the one that counts. verify --drift and up compare the
 * live schema with the latest row when that row describes the current
 * heads.
 */
#ifndef MB_DRIFT_H
#define MB_DRIFT_H

#include "mb/buf.h"
#include "mb/checksum.h"
#include "mb/graph.h"
#include "mb/schema.h"
#include "mb/verify.h"
#include "mb/vtable.h"

/** What mb_drift_check() found. */
enum mb_drift_state {
    MB_DRIFT_NONE = 0,   /* no fingerprint recorded (no table or no row) */
    MB_DRIFT_OTHER = 1,  /* the latest one describes other heads */
    MB_DRIFT_EQUAL = 2,  /* the live schema is the recorded one */
    MB_DRIFT_FOUND = 3,  /* it differs: see diff */
    MB_DRIFT_BROKEN = 4  /* the recorded text does not hash to the
                          * recorded checksum */
};

typedef struct mb_drift {
    int state;                  /* enum mb_drift_state */
    mb_buf heads;               /* the latest fingerprint's heads */
    mb_buf recorded_at;
    char recorded_sum[MB_CHECKSUM_HEX + 1];
    char live_sum[MB_CHECKSUM_HEX + 1];
    mb_schema recorded;         /* parsed from the recorded text */
    mb_schema live;
    mb_schema_diff diff;        /* MB_DRIFT_FOUND: what changed */
} mb_drift;

#define MB_DRIFT_INIT                                                      \
    {MB_DRIFT_NONE, MB_BUF_INIT, MB_BUF_INIT, "", "", MB_SCHEMA_INIT,       \
     MB_SCHEMA_INIT, MB_SCHEMA_DIFF_INIT}

void mb_drift_free(mb_drift *d);

/**
 * The applied heads as the fingerprint table stores them: their ids in
 * byte order, separated by one space ("" at base).
 */
int mb_drift_heads(mb_buf *out, const mb_graph *g,
                   const unsigned char *applied, mb_error *err);

/**
 * Append a fingerprint of the live schema at heads to the fingerprint
 * table in the open transaction; the table is created if missing, and
 * given its append-only guard if it lacks it (made by an older release).
 */
int mb_drift_record(mb_vtable *vt, const char *heads,
                    const char *bundle_digest, mb_error *err);

/**
 * Compare the live schema with the latest fingerprint: out->state says
 * what was found; with MB_DRIFT_FOUND, out->diff lists each object
 * (recorded = before, live = after).
 */
int mb_drift_check(mb_vtable *vt, const char *heads, mb_drift *out,
                   mb_error *err);

/**
 * One line of rep per difference of d, behind prefix: "added KIND NAME",
 * "removed KIND NAME", "changed KIND NAME (recorded: DEF; now: DEF)".
 */
int mb_drift_report(const mb_drift *d, const char *prefix, mb_report *rep,
                    mb_error *err);

/** "added", "removed" or "changed" for enum mb_schema_change. */
const char *mb_drift_change_name(int change);

#endif

/*
 * mb/apply.h -- run a migration: verify, lock, plan, execute each step in
 * its own transaction together with its version and log rows.
 */
#ifndef MB_APPLY_H
#define MB_APPLY_H

#include <signal.h>

#include "mb/backend.h"
#include "mb/bundle.h"
#include "mb/graph.h"
#include "mb/log.h"
#include "mb/plan.h"
#include "mb/verify.h"
#include "mb/vtable.h"

/* What an up or down that has work does about schema drift. */
enum mb_drift_policy {
    MB_DRIFT_IGNORE = 0, /* look not at all (stamp, resolve) */
    MB_DRIFT_WARN = 1,   /* a warning per object, then the run */
    MB_DRIFT_REFUSE = 2  /* MB_EINTEGRITY, nothing run (--strict) */
};

typedef struct mb_ctx {
    const mb_bundle *bundle;
    const mb_graph *graph;
    const mb_backend *be;
    mb_conn *conn;
    mb_vtable *vt;
    const char *prog; /* the program's name, in hints that name its
                       * commands */
    mb_logger log;    /* progress and warnings (mb/log.h) */
    int single;       /* 1: the whole run in one transaction */
    /* schema drift before an up that has work (mb/drift.h): enum
     * mb_drift_policy */
    int drift;
    /* nonzero (a signal number) when a signal asked the run to stop; the
     * caller's handler also called be->interrupt(). NULL: never. */
    const volatile sig_atomic_t *stop;
    /* group commit (backends with group_commit): each revision in a
     * savepoint of a transaction that commits once this many seconds
     * have passed since it began, before a transaction:false section and
     * at the end; 0: a transaction per revision */
    double group_commit;
    int group_open;   /* internal: a group's transaction is open */
    int group_lost;   /* internal: it was rolled back whole */
    double group_began; /* internal: when, on CLOCK_MONOTONIC */
    struct mb_deferred *pending; /* internal: rows to record before the
                                  * COMMIT of a transaction of many steps */
    int last_step;    /* internal: the plan's last step runs; its
                       * transaction records the schema fingerprint */
} mb_ctx;

/**
 * Move the database to target (direction MB_UP or MB_DOWN).
 *
 * Reads the version table without locking and returns at once when
 * nothing is to be done. Otherwise takes the backend lock, reads again and
 * runs each step in its own transaction. When *ctx->stop becomes nonzero
 * the run stops before the next step, and a step the interrupt cut short
 * is rolled back and logged `failed`: MB_EINTR. Applied revisions whose
 * checksum
 * differs from the bundle's, or that the bundle does not know, stop
 * everything before any SQL: MB_EINTEGRITY with the differences in
 * problems. A failing statement rolls its revision back, appends a
 * `failed` log row and returns MB_EDB with FILE:LINE in err.
 *
 * When there is work and ctx->drift says so, the live schema is first
 * compared with the fingerprint recorded at the current heads: each
 * difference is a warning, or (MB_DRIFT_REFUSE) a line of problems and
 * MB_EINTEGRITY before anything is written. The transaction that
 * commits the run's last step (or its last group, or the whole
 * --single-transaction run) also records a fingerprint of the schema at
 * the new heads, just before its COMMIT, so that the two commit together.
 * A failure to record it is a warning: the fingerprint's savepoint is
 * rolled back and the revisions commit without it.
 */
int mb_migrate(mb_ctx *ctx, int direction, const char *target,
               mb_report *problems, mb_error *err);

/**
 * Stamp: record targets[0..n) as Alembic's `stamp` would (with purge,
 * after forgetting every recorded revision), running no SQL of any
 * revision. The version rows that change are inserted or deleted in one
 * transaction under the lock, each with a log row of direction `stamp`.
 * Without purge the recorded checksums must match the bundle
 * (MB_EINTEGRITY otherwise, problems filled); MB_ETARGET when a target
 * cannot be resolved or two are on one lineage. Nothing is written on a
 * refusal. A fingerprint of the schema at the resulting heads is
 * recorded in the same transaction (a failure to record it is a warning,
 * as for mb_migrate()); when no version row changes, in a transaction of
 * its own, and only when the latest fingerprint is not of the live schema
 * at these heads (the way to record one on a database migrated before
 * fingerprints, or to accept a drift). The schema is never compared
 * first: a stamp records it as it is.
 */
int mb_stamp(mb_ctx *ctx, const char *const *targets, size_t n, int purge,
             mb_report *problems, mb_error *err);

/**
 * Add to rep one line per revision whose transaction:false section did
 * not finish (latest log row `started` or `incomplete`).
 */
int mb_unresolved(mb_ctx *ctx, mb_report *rep, mb_error *err);

/**
 * Record an operator's decision about an unfinished transaction:false
 * section of the revision named by spec: applied_by_hand 1 means its
 * effect is in place (the version row follows the section's direction),
 * 0 that it was undone. Appends a `resolved` log row. MB_ETARGET when the
 * revision has nothing to resolve.
 */
int mb_resolve(mb_ctx *ctx, const char *spec, int applied_by_hand,
               mb_error *err);

/**
 * MB_EUSAGE, naming its FILE:LINE, when a step of plan has a
 * transaction:false section on dialect: --single-transaction cannot
 * hold it.
 */
int mb_check_single(const mb_graph *g, const mb_plan *plan, int dialect,
                    mb_error *err);

/**
 * Run one section of rev on an open connection as a step of mb_migrate()
 * runs it, but without the version and log rows: a transactional section
 * between be->begin and be->commit (rolled back when it fails), a
 * transaction:false one as the backend runs those, outside any
 * transaction. For the bundler's replay of the revisions.
 *
 * @param text  rev's canonical text, its checksum already verified
 *              (mb_payload_text); sec is one of rev's sections
 * @return MB_OK, or the backend's error with FILE:LINE of the failing
 *         statement (FILE as rev->path)
 */
int mb_run_section(const mb_backend *be, mb_conn *conn,
                   const mb_revision *rev, const mb_section *sec,
                   const char *text, mb_error *err);

/** Read the version table and check it against the bundle. */
int mb_read_state(mb_ctx *ctx, mb_versions *v, unsigned char *applied,
                  mb_report *problems, mb_error *err);

#endif

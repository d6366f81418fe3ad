/*
 * apply.c -- a migration run (see mb/apply.h).
 *
 *   read state (no lock) -> integrity -> target -> plan -> nothing? done
 *   lock -> read state again -> integrity -> unresolved sections?
 *        -> plan again (same target)
 *   per step: verify payload -> BEGIN -> section SQL -> version row
 *             -> log row -> COMMIT; on failure ROLLBACK, then a `failed`
 *             log row in a transaction of its own
 *   the last step's transaction: ... -> log row -> schema fingerprint
 *             (in a savepoint) -> COMMIT
 *
 * Group commit (backends with group_commit: SQLite): the step's BEGIN
 * and COMMIT become SAVEPOINT and RELEASE inside a transaction that
 * commits once it has been open ctx->group_commit seconds, before a
 * transaction:false step and at the end. Its steps' version and log rows
 * wait in ctx->pending and go in together just before that COMMIT (as do
 * those of a --single-transaction run). A failing step rolls back to its
 * savepoint; the group before it is committed, then the `failed` row is
 * written as above.
 *
 * Signals: the caller's handler interrupts the running statement and
 * sets *ctx->stop; the step it cut short fails and is logged as above,
 * with MB_EINTR, and no further step starts.
 *
 * A transaction:false section cannot be rolled back, so it is bracketed
 * by log rows instead: `started` before its first statement, then either
 * the version row with `ok`, or `incomplete` naming the failed statement.
 * A revision whose latest log row is `started` or `incomplete` blocks
 * every later run until an operator runs `resolve`.
 *
 * The target is resolved once, before the lock, so that a relative target
 * such as -1 means the same thing to every runner that started together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mb/alloc.h"
#include "mb/apply.h"
#include "mb/drift.h"
#include "mb/fault.h"
#include "mb/plan.h"
#include "mb/revision.h"

int mb_read_state(mb_ctx *ctx, mb_versions *v, unsigned char *applied,
                  mb_report *problems, mb_error *err)
{
    int rc;

    if ((rc = mb_vtable_read(ctx->vt, v, err)) < 0)
        return rc;
    return mb_versions_check(ctx->graph, v, applied, problems, err);
}

int mb_unresolved(mb_ctx *ctx, mb_report *rep, mb_error *err)
{
    mb_unfinished u = MB_UNFINISHED_INIT;
    size_t i;
    int rc;

    if ((rc = mb_vtable_unresolved(ctx->vt, &u, err)) < 0)
        return rc;
    for (i = 0; i < u.n && rc == MB_OK; i++) {
        const mb_unfinished_row *r = &u.rows[i];
        char error[768], *nl;

        /* one report line per revision */
        snprintf(error, sizeof error, "%s", r->error ? r->error : "");
        while ((nl = strchr(error, '\n')) != NULL)
            *nl = ';';
        rc = mb_report_add(rep, err, "revision %s: the transaction:false "
                           "%s section %s at %s%s%s", r->revision,
                           r->direction == MB_DOWN ? "down" : "up",
                           r->started ? "started but never finished (the "
                                        "run was interrupted)"
                                      : "failed part-way",
                           r->started_at, r->error ? ": " : "", error);
    }
    mb_unfinished_free(&u);
    return rc;
}

/* A signal's name for messages. */
static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

static int stopped(const mb_ctx *ctx)
{
    return ctx->stop != NULL && *ctx->stop != 0;
}

/*
 * After rev's step failed with rc: when a signal asked the run to stop,
 * the failure is the interrupt's doing (a cancelled statement,
 * SQLITE_INTERRUPT), err says so, keeping FILE:LINE, and MB_EINTR is
 * returned; otherwise rc.
 */
static int blame_signal(const mb_ctx *ctx, const mb_revision *rev,
                        int autocommit, int rc, mb_error *err)
{
    char file[sizeof err->file];
    int line = err->line;

    if (!stopped(ctx) || err->code == MB_ECONN)
        return rc;
    memcpy(file, err->file, sizeof file);
    mb_error_at(err, MB_EINTR, file, line, "interrupted by %s while "
                "revision %s ran", signal_name(*ctx->stop), rev->id);
    mb_error_detail(err, "%s", autocommit
                    ? "its transaction:false section stopped at this "
                      "statement: the statements before it stay applied"
                    : "its transaction was rolled back: nothing of it is "
                      "applied");
    return MB_EINTR;
}

/* Read the state; integrity problems become MB_EINTEGRITY. */
static int checked_state(mb_ctx *ctx, unsigned char *applied,
                         mb_report *problems, mb_error *err)
{
    mb_versions v = MB_VERSIONS_INIT;
    int rc = mb_read_state(ctx, &v, applied, problems, err);

    mb_versions_free(&v);
    if (rc == MB_OK && problems->count > 0) {
        mb_error_set(err, MB_EINTEGRITY, "the database does not match this "
                     "bundle: %zu difference%s; nothing was changed",
                     problems->count, problems->count == 1 ? "" : "s");
        mb_error_hint(err, "run \"verify\" for the report; restore the "
                      "revision files that were applied, or use the release "
                      "that applied them");
        rc = MB_EINTEGRITY;
    }
    return rc;
}

/*
 * Before an up or down with work: compare the live schema with the
 * fingerprint at the current heads (applied); warn per object, or refuse.
 */
static int check_drift(mb_ctx *ctx, const unsigned char *applied,
                       mb_report *problems, mb_error *err)
{
    mb_drift d = MB_DRIFT_INIT;
    mb_report found = MB_REPORT_INIT, *into;
    mb_buf heads = MB_BUF_INIT;
    const char *p;
    int rc;

    if (ctx->drift == MB_DRIFT_IGNORE || !mb_vtable_ready(ctx->vt))
        return MB_OK;
    /* refused: the lines go to problems, empty here (the version table
     * passed); else each is a warning */
    into = ctx->drift == MB_DRIFT_REFUSE ? problems : &found;
    if ((rc = mb_drift_heads(&heads, ctx->graph, applied, err)) < 0 ||
        (rc = mb_drift_check(ctx->vt, heads.ptr, &d, err)) < 0 ||
        d.state != MB_DRIFT_FOUND ||
        (rc = mb_drift_report(&d, "schema drift: ", into, err)) < 0)
        goto done;
    if (ctx->drift == MB_DRIFT_REFUSE) {
        rc = mb_error_set(err, MB_EINTEGRITY, "the schema drifted from the "
                          "fingerprint recorded at the current heads: %zu "
                          "object%s; nothing was changed", d.diff.n,
                          d.diff.n == 1 ? "" : "s");
        mb_error_hint(err, "run \"verify --drift\"; undo the changes made "
                      "by hand, or record the schema as it is with "
                      "\"stamp\" of the current heads");
        goto done;
    }
    for (p = found.text.ptr; p != NULL && *p != '\0';) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);

        mb_log(&ctx->log, MB_LOG_WARNING, "%.*s", n, p);
        p += n + (nl != NULL);
    }
done:
    mb_report_free(&found);
    mb_buf_free(&heads);
    mb_drift_free(&d);
    return rc;
}

/*
 * Append a fingerprint of the schema at the heads the version table now
 * records, in the open transaction (its rows, uncommitted ones included,
 * name the heads). The error in err.
 */
static int fingerprint_rows(mb_ctx *ctx, mb_error *err)
{
    mb_versions v = MB_VERSIONS_INIT;
    mb_report ignored = MB_REPORT_INIT;
    mb_buf heads = MB_BUF_INIT;
    unsigned char *applied = mb_calloc(ctx->graph->n ? ctx->graph->n : 1, 1);
    int rc;

    if (applied == NULL)
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
    else if ((rc = mb_read_state(ctx, &v, applied, &ignored, err)) == 0 &&
             (rc = mb_drift_heads(&heads, ctx->graph, applied, err)) == 0)
        rc = mb_drift_record(ctx->vt, heads.ptr, ctx->bundle->digest, err);
    mb_versions_free(&v);
    mb_report_free(&ignored);
    mb_buf_free(&heads);
    free(applied);
    return rc;
}

/* The warning of a fingerprint that was not recorded (cause in e). */
static void fingerprint_warning(mb_ctx *ctx, const mb_error *e)
{
    mb_log(&ctx->log, MB_LOG_WARNING, "the schema fingerprint was not "
           "recorded: %s", e->msg);
}

/* verb ("SAVEPOINT", "RELEASE SAVEPOINT", ...) of the fingerprint's
 * savepoint; each a pass through the fault point `savepoint`. */
static int savepoint(mb_ctx *ctx, const char *verb, mb_error *err)
{
    char sql[64];
    int rc;

    if ((rc = MB_FAULT("savepoint", err)) < 0)
        return rc;
    snprintf(sql, sizeof sql, "%s mb_fingerprint", verb);
    return ctx->be->query(ctx->conn, sql, 0, NULL, NULL, err);
}

/*
 * Just before the COMMIT of the transaction that ends a run (the last
 * revision's, the --single-transaction run's, the last group's, the
 * bookkeeping one after a last transaction:false section) or a stamp:
 * append the fingerprint in that transaction, so that the version and
 * log rows and the fingerprint of the heads they make commit together
 * or not at all; a crash cannot leave those heads without it.
 *
 * Recording is an audit record, not part of the migration: when it
 * fails (a catalog query, the table, the injected `fingerprint` fault)
 * its savepoint is rolled back, a warning says so, and the step commits
 * without it, as a fingerprint written apart did before (the revision
 * ran, and undoing it, or a --single-transaction run of many, because a
 * snapshot failed would turn a bookkeeping problem into a failed
 * deployment; "stamp" of the heads records one later). Only a savepoint
 * statement that fails returns an error: the transaction itself is then
 * in doubt (on PostgreSQL an aborted transaction's COMMIT rolls back),
 * and the caller rolls the step back as for a failed COMMIT.
 */
static int fingerprint_in_tx(mb_ctx *ctx, mb_error *err)
{
    mb_error e = MB_ERROR_INIT;
    int rc;

    if ((rc = savepoint(ctx, "SAVEPOINT", err)) < 0)
        return rc;
    if (fingerprint_rows(ctx, &e) == MB_OK)
        return savepoint(ctx, "RELEASE SAVEPOINT", err);
    fingerprint_warning(ctx, &e);
    if ((rc = savepoint(ctx, "ROLLBACK TO SAVEPOINT", err)) < 0)
        return rc;
    return savepoint(ctx, "RELEASE SAVEPOINT", err);
}

/* COMMIT the open transaction; when it ends the run (last), with the
 * fingerprint (fingerprint_in_tx()). The caller rolls back on failure. */
static int commit_run(mb_ctx *ctx, int last, mb_error *err)
{
    int rc;

    if (last && (rc = fingerprint_in_tx(ctx, err)) < 0)
        return rc;
    return mb_vtable_commit(ctx->vt, err);
}

/*
 * A stamp that changes no version row: the fingerprint alone, in a
 * transaction of its own (under the lock, the tables in place). A failure
 * is a warning: MB_OK or the error that was warned about.
 */
static int record_fingerprint(mb_ctx *ctx)
{
    mb_error err = MB_ERROR_INIT;
    int rc;

    if ((rc = ctx->be->begin(ctx->conn, &err)) == MB_OK &&
        ((rc = fingerprint_rows(ctx, &err)) < 0 ||
         (rc = mb_vtable_commit(ctx->vt, &err)) < 0))
        mb_vtable_rollback(ctx->vt);
    if (rc < 0)
        fingerprint_warning(ctx, &err);
    return rc;
}

/*
 * 1 when the latest fingerprint is not of the live schema at the heads of
 * applied (none, other heads, or drift), so that a stamp with nothing to
 * do records one; 0 when it is, or when that cannot be read (warned).
 */
static int fingerprint_stale(mb_ctx *ctx, const unsigned char *applied)
{
    mb_error err = MB_ERROR_INIT;
    mb_drift d = MB_DRIFT_INIT;
    mb_buf heads = MB_BUF_INIT;
    int rc, stale = 0;

    if ((rc = mb_drift_heads(&heads, ctx->graph, applied, &err)) < 0 ||
        (rc = mb_drift_check(ctx->vt, heads.ptr, &d, &err)) < 0)
        mb_log(&ctx->log, MB_LOG_WARNING, "the schema fingerprint could "
               "not be read: %s", err.msg);
    else
        stale = d.state != MB_DRIFT_EQUAL;
    mb_drift_free(&d);
    mb_buf_free(&heads);
    return stale;
}

/* Refuse to go on while a transaction:false section is unresolved. */
static int check_unresolved(mb_ctx *ctx, mb_report *problems, mb_error *err)
{
    int rc;

    if ((rc = mb_unresolved(ctx, problems, err)) < 0 || problems->count == 0)
        return rc;
    mb_error_set(err, MB_EINTEGRITY, "a transaction:false section did not "
                 "finish; nothing was changed");
    mb_error_hint(err, "inspect the database, complete or undo the "
                  "section's statements by hand, then record what you did: "
                  "%s resolve REV --applied, or %s resolve REV "
                  "--rolled-back", ctx->prog, ctx->prog);
    return MB_EINTEGRITY;
}

/* Append a log row for rev in a transaction of its own. Errors here are
 * reported as a warning (ctx->log) but do not replace the original error. A session
 * that is gone (cause MB_ECONN) takes no row: there is nothing to write it
 * with, and the next run reads what the server kept. */
static int log_row(mb_ctx *ctx, const mb_revision *rev, int direction,
                   const char *started, const char *outcome,
                   const mb_error *cause)
{
    char finished[32], text[2048];
    mb_error e = MB_ERROR_INIT;
    mb_log_entry le;
    int rc;

    if (cause != NULL && cause->code == MB_ECONN)
        return MB_ECONN;
    mb_now_iso(finished);
    text[0] = '\0';
    if (cause != NULL && cause->line > 0)
        snprintf(text, sizeof text, "%s:%d: %s%s%s", cause->file,
                 cause->line, cause->msg, cause->detail[0] ? "\n" : "",
                 cause->detail);
    else if (cause != NULL)
        snprintf(text, sizeof text, "%s", cause->msg);
    le = mb_log_entry_of(rev, direction, ctx->bundle->digest, started,
                         cause || strcmp(outcome, MB_OUTCOME_STARTED) != 0
                             ? finished : NULL,
                         outcome, cause ? text : NULL);
    mb_vtable_rollback(ctx->vt);
    if ((rc = ctx->be->begin(ctx->conn, &e)) < 0 ||
        (rc = mb_vtable_ensure(ctx->vt, &e)) < 0 ||
        (rc = mb_vtable_log(ctx->vt, &le, &e)) < 0 ||
        (rc = mb_vtable_commit(ctx->vt, &e)) < 0) {
        mb_vtable_rollback(ctx->vt);
        mb_log(&ctx->log, MB_LOG_WARNING, "could not append to the log "
               "table: %s", e.msg);
        return rc;
    }
    return MB_OK;
}

/*
 * Version and log rows deferred to the end of the transaction that holds
 * their steps (--single-transaction, a group): written together just
 * before its COMMIT, they cost one statement on PostgreSQL and, on
 * SQLite, one prepared statement reused for every row, where one INSERT
 * after each step's DDL would be prepared anew each time.
 */
struct mb_deferred {
    struct deferred_row {
        const mb_revision *rev;
        char started[32];
        char finished[32];
    } *v;
    size_t n, cap;
};

/* The `ok` log entry of a step. */
static mb_log_entry ok_entry(const mb_ctx *ctx, const mb_revision *rev,
                             int direction, const char *started,
                             const char *finished)
{
    return mb_log_entry_of(rev, direction, ctx->bundle->digest, started,
                           finished, MB_OUTCOME_OK, NULL);
}

/* Record the step's version and log rows inside the open transaction:
 * now, or when the transaction holds several steps, at its end. */
static int record(mb_ctx *ctx, const mb_revision *rev, int direction,
                  const char *started, mb_error *err)
{
    struct mb_deferred *d = ctx->pending;
    char finished[32];
    mb_log_entry le;

    mb_now_iso(finished);
    if (!ctx->single && !ctx->group_open) {
        le = ok_entry(ctx, rev, direction, started, finished);
        return mb_vtable_record(ctx->vt, rev, direction, &le, err);
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        struct deferred_row *v = mb_realloc(d->v, cap * sizeof *v);

        if (v == NULL)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n].rev = rev;
    memcpy(d->v[d->n].started, started, sizeof d->v[d->n].started);
    memcpy(d->v[d->n].finished, finished, sizeof finished);
    d->n++;
    return MB_OK;
}

/* Write the deferred rows (see struct mb_deferred). */
static int flush_records(mb_ctx *ctx, int direction, mb_error *err)
{
    struct mb_deferred *d = ctx->pending;
    mb_vtable_rows rows = MB_VTABLE_ROWS_INIT;
    mb_log_entry le;
    size_t i;
    int rc = MB_OK;

    for (i = 0; i < d->n && rc == MB_OK; i++) {
        le = ok_entry(ctx, d->v[i].rev, direction, d->v[i].started,
                      d->v[i].finished);
        rc = mb_vtable_rows_add(ctx->vt, &rows, d->v[i].rev, direction, &le,
                                err);
    }
    if (rc == MB_OK)
        rc = mb_vtable_rows_write(ctx->vt, &rows, direction, err);
    d->n = 0;
    mb_vtable_rows_free(&rows);
    return rc;
}

static const mb_section *step_section(const mb_ctx *ctx,
                                      const mb_revision *rev, int direction)
{
    return mb_revision_section(rev, direction == MB_UP ? MB_SECTION_UP
                                                       : MB_SECTION_DOWN,
                               ctx->be->dialect);
}

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Group commit is on: the backend allows it, the run asks for it, and it
 * is not one --single-transaction. */
static int grouping(const mb_ctx *ctx)
{
    return ctx->be->group_commit && ctx->group_commit > 0 && !ctx->single;
}

/* A transactional step inside the group's transaction, in a savepoint of
 * its own: a failure rolls back this revision only, and returns without
 * a log row (run_plan commits the group first, then logs). */
static int step_in_group(mb_ctx *ctx, const mb_revision *rev, int direction,
                         const mb_script *script, const char *started,
                         mb_error *err)
{
    mb_error ignored = MB_ERROR_INIT;
    size_t deferred = ctx->pending->n; /* rows recorded before this step */
    int rc;

    if (!ctx->group_open) {
        if ((rc = ctx->be->begin(ctx->conn, err)) < 0 ||
            (rc = mb_vtable_ensure(ctx->vt, err)) < 0) {
            mb_vtable_rollback(ctx->vt);
            return rc;
        }
        ctx->group_open = 1;
        ctx->group_began = mono_s();
    }
    if ((rc = ctx->be->query(ctx->conn, "SAVEPOINT mb_revision", 0, NULL,
                             NULL, err)) < 0 ||
        (script != NULL &&
         (rc = ctx->be->exec_script(ctx->conn, script, NULL, err)) < 0) ||
        (rc = record(ctx, rev, direction, started, err)) < 0 ||
        (rc = ctx->be->query(ctx->conn, "RELEASE SAVEPOINT mb_revision", 0,
                             NULL, NULL, err)) < 0) {
        ctx->pending->n = deferred; /* its rows go with it */
        /* a savepoint that cannot be rolled back takes the group with it */
        if (ctx->be->query(ctx->conn, "ROLLBACK TO SAVEPOINT mb_revision", 0,
                           NULL, NULL, &ignored) < 0 ||
            ctx->be->query(ctx->conn, "RELEASE SAVEPOINT mb_revision", 0,
                           NULL, NULL, &ignored) < 0) {
            mb_vtable_rollback(ctx->vt);
            ctx->group_open = 0;
            ctx->group_lost = 1;
        }
        return rc;
    }
    return MB_OK;
}

/*
 * Commit the open group: the steps plan->steps[from..to). When the COMMIT
 * fails the group is rolled back, each of its revisions gets a `failed`
 * log row, and err says so (as its detail when it already holds the
 * error of a later step).
 */
static int end_group(mb_ctx *ctx, const mb_plan *plan, size_t from,
                     size_t to, mb_error *err)
{
    mb_error e = MB_ERROR_INIT;
    char now[32], prior[sizeof err->detail];
    int lost = ctx->group_lost;
    size_t k;

    ctx->group_lost = 0;
    if (!ctx->group_open && !lost)
        return MB_OK;
    if (!lost && flush_records(ctx, plan->direction, &e) == MB_OK &&
        commit_run(ctx, to == plan->n, &e) == MB_OK) {
        ctx->group_open = 0;
        return MB_OK;
    }
    if (lost)
        mb_error_set(&e, MB_EDB, "a failed revision's savepoint could not "
                     "be rolled back, so its whole group was");
    ctx->group_open = 0;
    ctx->pending->n = 0;
    mb_vtable_rollback(ctx->vt);
    mb_now_iso(now);
    for (k = from; k < to; k++)
        log_row(ctx, ctx->graph->nodes[plan->steps[k]].rev, plan->direction,
                now, MB_OUTCOME_FAILED, &e);
    if (err->code != MB_OK) {
        memcpy(prior, err->detail, sizeof prior);
        mb_error_detail(err, "%s%sthe %zu revision%s committed with it "
                        "before it %s rolled back too: %s", prior,
                        prior[0] ? "\n" : "", to - from,
                        to - from == 1 ? "" : "s",
                        to - from == 1 ? "was" : "were", e.msg);
        return err->code;
    }
    *err = e;
    mb_error_detail(err, "the %zu revision%s of this group %s rolled back",
                    to - from, to - from == 1 ? "" : "s",
                    to - from == 1 ? "was" : "were");
    return err->code;
}

/* Run a transaction:false section between a `started` and a final row. */
static int run_autocommit(mb_ctx *ctx, const mb_revision *rev, int direction,
                          const mb_script *script, const char *started,
                          mb_error *err)
{
    mb_exec_info info = {0, 0};
    int rc;

    if ((rc = log_row(ctx, rev, direction, started, MB_OUTCOME_STARTED,
                      NULL)) < 0)
        return mb_error_set(err, rc, "could not log the start of revision "
                            "%s; nothing was run", rev->id);
    if ((rc = ctx->be->exec_script(ctx->conn, script, &info, err)) < 0) {
        char server[sizeof err->hint];

        rc = blame_signal(ctx, rev, 1, rc, err);
        log_row(ctx, rev, direction, started, MB_OUTCOME_INCOMPLETE, err);
        /* a lost session's hint (run again) does not hold here: the
         * section's `started` row makes the next run refuse */
        if (rc == MB_ECONN)
            err->hint[0] = '\0';
        memcpy(server, err->hint, sizeof server);
        mb_error_hint(err, "%s%sthe section ran outside a transaction: "
                      "check what it changed, finish or undo it by hand, "
                      "then run \"%s resolve %s --applied\" or "
                      "\"--rolled-back\"", server, server[0] ? "\n" : "",
                      ctx->prog, rev->id);
        return rc;
    }
    if ((rc = ctx->be->begin(ctx->conn, err)) < 0 ||
        (rc = record(ctx, rev, direction, started, err)) < 0 ||
        (rc = commit_run(ctx, ctx->last_step, err)) < 0) {
        mb_vtable_rollback(ctx->vt);
        return rc; /* the `started` row stays: the next run will refuse */
    }
    return MB_OK;
}

/*
 * One round trip for the whole step where the backend allows it: BEGIN,
 * the section, the version and log rows, COMMIT (in --single-transaction
 * mode only the section and the rows). The run's last step sends no
 * COMMIT: the fingerprint goes in first (commit_run()), a few round
 * trips more, once per run.
 */
static int run_batched(mb_ctx *ctx, const mb_revision *rev, int direction,
                       mb_script *script, const char *started, mb_error *err)
{
    mb_buf epilogue = MB_BUF_INIT;
    int rc;

    if (!ctx->single &&
        ((rc = mb_vtable_record_sql(ctx->vt, &epilogue, rev, direction,
                                    ctx->bundle->digest, err)) < 0 ||
         (!ctx->last_step &&
          (rc = mb_buf_puts(&epilogue, ";\nCOMMIT", err)) < 0))) {
        mb_buf_free(&epilogue);
        return rc;
    }
    script->prologue = ctx->single ? NULL : "BEGIN";
    script->n_prologue = ctx->single ? 0 : 1;
    script->epilogue = epilogue.ptr;
    rc = ctx->be->exec_script(ctx->conn, script, NULL, err);
    mb_buf_free(&epilogue);
    if (rc == MB_OK && ctx->single) /* its rows go in before the COMMIT */
        rc = record(ctx, rev, direction, started, err);
    else if (rc == MB_OK && ctx->last_step)
        rc = commit_run(ctx, 1, err);
    if (rc < 0) {
        rc = blame_signal(ctx, rev, 0, rc, err);
        log_row(ctx, rev, direction, started, MB_OUTCOME_FAILED, err);
    }
    return rc;
}

/* The script that runs section sec of rev, whose verified text is text. */
static mb_script section_script(const mb_revision *rev,
                                const mb_section *sec, const char *text)
{
    return (mb_script){rev,  text + sec->offset, sec->len, sec->line + 1,
                       sec->transaction, NULL, 0, NULL};
}

int mb_run_section(const mb_backend *be, mb_conn *conn,
                   const mb_revision *rev, const mb_section *sec,
                   const char *text, mb_error *err)
{
    mb_script script = section_script(rev, sec, text);
    int rc;

    if (!sec->transaction)
        return be->exec_script(conn, &script, NULL, err);
    if ((rc = be->begin(conn, err)) < 0)
        return rc;
    if ((rc = be->exec_script(conn, &script, NULL, err)) < 0 ||
        (rc = be->commit(conn, err)) < 0) {
        be->rollback(conn);
        return rc;
    }
    return MB_OK;
}

/*
 * One revision. started receives when it began. In a group (grouping())
 * a transactional step that fails returns without its `failed` row,
 * which run_plan writes once it has committed the group.
 */
static int run_step(mb_ctx *ctx, size_t node, int direction, mb_buf *text,
                    mb_inflater *inf, char started[32], mb_error *err)
{
    const mb_revision *rev = ctx->graph->nodes[node].rev;
    const mb_section *sec = step_section(ctx, rev, direction);
    mb_script script;
    int rc;

    /* Invariant: no SQL runs unless its checksum was verified just now. */
    if ((rc = mb_payload_text(text, inf, rev, err)) < 0)
        return rc;
    mb_log(&ctx->log, MB_LOG_PROGRESS, "%s %s (%s): %s",
           direction == MB_UP ? "applying" : "rolling back", rev->id,
           rev->path, rev->message);
    mb_now_iso(started);
    if (sec != NULL)
        script = section_script(rev, sec, text->ptr);
    if (sec != NULL && !sec->transaction)
        return run_autocommit(ctx, rev, direction, &script, started, err);
    if (sec != NULL && ctx->be->batch && mb_vtable_ready(ctx->vt))
        return run_batched(ctx, rev, direction, &script, started, err);
    if (grouping(ctx)) {
        if ((rc = step_in_group(ctx, rev, direction, sec ? &script : NULL,
                                started, err)) < 0)
            rc = blame_signal(ctx, rev, 0, rc, err);
        return rc;
    }
    /* --single-transaction: run_plan made the tables after its BEGIN */
    if ((!ctx->single && (rc = ctx->be->begin(ctx->conn, err)) < 0) ||
        (!ctx->single && (rc = mb_vtable_ensure(ctx->vt, err)) < 0) ||
        (sec != NULL &&
         (rc = ctx->be->exec_script(ctx->conn, &script, NULL, err)) < 0) ||
        (rc = record(ctx, rev, direction, started, err)) < 0 ||
        (!ctx->single &&
         (rc = commit_run(ctx, ctx->last_step, err)) < 0))
        goto fail;
    return MB_OK;
fail:
    rc = blame_signal(ctx, rev, 0, rc, err);
    if (rc != MB_ELOCKED)
        log_row(ctx, rev, direction, started, MB_OUTCOME_FAILED, err);
    else
        mb_vtable_rollback(ctx->vt);
    return rc;
}

int mb_check_single(const mb_graph *g, const mb_plan *plan, int dialect,
                    mb_error *err)
{
    size_t i;

    for (i = 0; i < plan->n; i++) {
        const mb_revision *rev = g->nodes[plan->steps[i]].rev;
        const mb_section *sec = mb_revision_section(
            rev, plan->direction == MB_UP ? MB_SECTION_UP : MB_SECTION_DOWN,
            dialect);

        if (sec != NULL && !sec->transaction) {
            mb_error_at(err, MB_EUSAGE, rev->path, (int)sec->line,
                        "--single-transaction cannot run revision %s: its "
                        "section is transaction:false", rev->id);
            mb_error_hint(err, "run without --single-transaction, or stop "
                          "before %s", rev->id);
            return MB_EUSAGE;
        }
    }
    return MB_OK;
}

/* --single-transaction cannot hold a transaction:false section. */
static int check_single(const mb_ctx *ctx, const mb_plan *plan,
                        mb_error *err)
{
    return ctx->single ? mb_check_single(ctx->graph, plan,
                                         ctx->be->dialect, err)
                       : MB_OK;
}

static int run_plan(mb_ctx *ctx, const mb_plan *plan, mb_error *err)
{
    mb_buf text = MB_BUF_INIT;
    mb_inflater inf = MB_INFLATER_INIT;
    struct mb_deferred pending = {NULL, 0, 0};
    size_t i, first = 0;
    int rc = MB_OK;

    ctx->pending = &pending;

    if (ctx->single && ((rc = ctx->be->begin(ctx->conn, err)) < 0 ||
                        (rc = mb_vtable_ensure(ctx->vt, err)) < 0)) {
        mb_vtable_rollback(ctx->vt);
        return rc;
    }
    for (i = 0; i < plan->n && rc == MB_OK; i++) {
        const mb_revision *rev = ctx->graph->nodes[plan->steps[i]].rev;
        const mb_section *sec = step_section(ctx, rev, plan->direction);
        char started[32];

        if (stopped(ctx)) {
            /* what the group completed is kept */
            if ((rc = end_group(ctx, plan, first, i, err)) < 0)
                break;
            rc = mb_error_set(err, MB_EINTR, "interrupted by %s before "
                              "revision %s", signal_name(*ctx->stop),
                              rev->id);
            mb_error_detail(err, "the %zu revision%s before it %s", i,
                            i == 1 ? "" : "s",
                            ctx->single ? "are rolled back with the run"
                                        : "stay applied");
            mb_vtable_rollback(ctx->vt);
            break;
        }
        /* a transaction:false section runs outside any transaction */
        if (sec != NULL && !sec->transaction &&
            (rc = end_group(ctx, plan, first, i, err)) < 0)
            break;
        if (!ctx->group_open)
            first = i;
        ctx->last_step = i + 1 == plan->n;
        rc = run_step(ctx, plan->steps[i], plan->direction, &text, &inf,
                      started, err);
        if (rc < 0 && (ctx->group_open || ctx->group_lost)) {
            /* this revision was rolled back; those before it stand */
            end_group(ctx, plan, first, i, err);
            if (rc != MB_ELOCKED)
                log_row(ctx, rev, plan->direction, started,
                        MB_OUTCOME_FAILED, err);
        } else if (rc == MB_OK && ctx->group_open &&
                   mono_s() - ctx->group_began >= ctx->group_commit) {
            rc = end_group(ctx, plan, first, i + 1, err);
        }
    }
    if (rc == MB_OK)
        rc = end_group(ctx, plan, first, plan->n, err);
    if (rc == MB_OK && ctx->single &&
        (rc = flush_records(ctx, plan->direction, err)) < 0)
        mb_vtable_rollback(ctx->vt);
    if (ctx->single && rc == MB_OK && (rc = commit_run(ctx, 1, err)) < 0) {
        const mb_revision *last = ctx->graph->nodes[plan->steps[0]].rev;
        char now[32];

        mb_now_iso(now);
        log_row(ctx, last, plan->direction, now, MB_OUTCOME_FAILED, err);
    }
    if (ctx->single && rc < 0) {
        char prior[sizeof err->detail];

        memcpy(prior, err->detail, sizeof prior);
        mb_error_detail(err, "%s%s--single-transaction: the whole run was "
                        "rolled back", prior, prior[0] ? "\n" : "");
    }
    ctx->pending = NULL;
    ctx->last_step = 0;
    free(pending.v);
    mb_buf_free(&text);
    mb_inflater_free(&inf);
    return rc;
}

int mb_migrate(mb_ctx *ctx, int direction, const char *target,
               mb_report *problems, mb_error *err)
{
    const mb_graph *g = ctx->graph;
    unsigned char *applied = mb_calloc(g->n ? g->n : 1, 1);
    mb_plan plan = MB_PLAN_INIT;
    char resolved[sizeof plan.resolved];
    int rc, locked = 0;

    if (applied == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if ((rc = checked_state(ctx, applied, problems, err)) < 0 ||
        (rc = mb_plan_make(&plan, g, applied, target, direction,
                           ctx->be->dialect, err)) < 0 ||
        (rc = check_single(ctx, &plan, err)) < 0)
        goto done;
    if (plan.n == 0) {
        /* nothing to run, but an unfinished transaction:false section
         * means the schema is not what the version table says: look,
         * and if one shows, ask again under the lock (its run may still
         * be going) */
        mb_report pending = MB_REPORT_INIT;

        rc = mb_unresolved(ctx, &pending, err);
        if (rc == MB_OK && pending.count == 0) {
            mb_report_free(&pending);
            goto nothing;
        }
        mb_report_free(&pending);
        if (rc < 0)
            goto done;
    }
    if ((rc = ctx->be->lock(ctx->conn, ctx->vt->lock_key.ptr, err)) < 0)
        goto done;
    locked = 1;
    /* another runner may have moved the database while we waited: plan
     * again, for the revision the target named before the wait */
    snprintf(resolved, sizeof resolved, "%s", plan.resolved);
    target = resolved;
    mb_plan_free(&plan);
    if ((rc = mb_vtable_probe(ctx->vt, err)) < 0 ||
        (rc = checked_state(ctx, applied, problems, err)) < 0 ||
        (rc = check_unresolved(ctx, problems, err)) < 0 ||
        (rc = mb_plan_make(&plan, g, applied, target, direction,
                           ctx->be->dialect, err)) < 0 ||
        (rc = check_single(ctx, &plan, err)) < 0)
        goto done;
    if (plan.n == 0)
        goto nothing;
    /* run_plan records the fingerprint in the run's last transaction */
    if ((rc = check_drift(ctx, applied, problems, err)) < 0 ||
        (rc = run_plan(ctx, &plan, err)) < 0)
        goto done;
    mb_log(&ctx->log, MB_LOG_PROGRESS, "%s %zu revision%s",
           direction == MB_UP ? "applied" : "rolled back", plan.n,
           plan.n == 1 ? "" : "s");
    goto done;
nothing:
    mb_log(&ctx->log, MB_LOG_PROGRESS, "nothing to do: the database is "
           "already at the target");
done:
    if (rc < 0 && stopped(ctx) && rc != MB_EINTR && rc != MB_ECONN) {
        /* a wait or a read that the interrupt cut short */
        char what[sizeof err->msg];

        memcpy(what, err->msg, sizeof what);
        mb_error_set(err, MB_EINTR, "interrupted by %s; nothing was "
                     "changed", signal_name(*ctx->stop));
        mb_error_detail(err, "%s", what);
        rc = MB_EINTR;
    }
    if (locked)
        ctx->be->unlock(ctx->conn);
    mb_plan_free(&plan);
    free(applied);
    return rc;
}

/*
 * The stamp's rows: adds (the version rows it inserts) and removes (those
 * it deletes), each with its log row (direction `stamp`; error NULL for an
 * added row, "removed by stamp" for a deleted one). --purge deletes
 * every row first (applied is then all zero), as Alembic empties its
 * version table, known to the bundle or not.
 */
static int write_stamp(mb_ctx *ctx, const mb_versions *v,
                       const unsigned char *applied,
                       const unsigned char *result, int purge, mb_error *err)
{
    const mb_graph *g = ctx->graph;
    mb_vtable_rows adds = MB_VTABLE_ROWS_INIT, removes = MB_VTABLE_ROWS_INIT;
    char now[32];
    size_t i;
    int rc = MB_OK;

    mb_now_iso(now);
    for (i = 0; i < g->n && rc == MB_OK; i++) {
        const mb_revision *r = g->nodes[i].rev;
        mb_log_entry le = mb_log_entry_of(r, MB_STAMP, ctx->bundle->digest,
                                          now, now, MB_OUTCOME_OK, NULL);

        if (result[i] && !applied[i]) {
            rc = mb_vtable_rows_add(ctx->vt, &adds, r, MB_UP, &le, err);
        } else if (!result[i] && applied[i]) {
            le.error = "removed by stamp";
            rc = mb_vtable_rows_add(ctx->vt, &removes, r, MB_DOWN, &le, err);
        }
    }
    for (i = 0; purge && i < v->n && rc == MB_OK; i++) {
        /* --purge: every row goes, known to the bundle or not */
        mb_revision r = {.id = v->rows[i].revision,
                         .checksum = v->rows[i].checksum};
        mb_log_entry le = mb_log_entry_of(&r, MB_STAMP, ctx->bundle->digest,
                                          now, now, MB_OUTCOME_OK,
                                          "removed by stamp");

        if ((rc = mb_vtable_set(ctx->vt, &r, MB_DOWN, NULL, NULL, err)) ==
            MB_OK)
            rc = mb_vtable_log(ctx->vt, &le, err);
    }
    if (rc == MB_OK)
        rc = mb_vtable_rows_write(ctx->vt, &removes, MB_DOWN, err);
    if (rc == MB_OK)
        rc = mb_vtable_rows_write(ctx->vt, &adds, MB_UP, err);
    mb_vtable_rows_free(&adds);
    mb_vtable_rows_free(&removes);
    return rc;
}

/* Read the state for a stamp: with --purge, rows the bundle does not
 * know or whose checksum differs are allowed (they go); else checked. */
static int stamp_state(mb_ctx *ctx, mb_versions *v, unsigned char *applied,
                       int purge, mb_report *problems, mb_error *err)
{
    mb_report ignored = MB_REPORT_INIT;
    int rc;

    mb_versions_free(v);
    memset(applied, 0, ctx->graph->n ? ctx->graph->n : 1);
    if (!purge) {
        if ((rc = checked_state(ctx, applied, problems, err)) < 0)
            return rc;
        return mb_vtable_read(ctx->vt, v, err);
    }
    rc = mb_read_state(ctx, v, applied, &ignored, err);
    mb_report_free(&ignored);
    return rc;
}

int mb_stamp(mb_ctx *ctx, const char *const *targets, size_t n, int purge,
             mb_report *problems, mb_error *err)
{
    const mb_graph *g = ctx->graph;
    unsigned char *applied = mb_calloc(g->n ? g->n : 1, 1);
    unsigned char *result = mb_calloc(g->n ? g->n : 1, 1);
    mb_versions v = MB_VERSIONS_INIT;
    size_t i, changes = 0;
    int rc, locked = 0, pass;

    if (applied == NULL || result == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    /* look first without the lock, so a refusal writes nothing at all;
     * then again under it, as another runner may have moved the rows */
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            if ((rc = ctx->be->lock(ctx->conn, ctx->vt->lock_key.ptr,
                                    err)) < 0)
                goto done;
            locked = 1;
            if ((rc = mb_vtable_probe(ctx->vt, err)) < 0 ||
                (rc = check_unresolved(ctx, problems, err)) < 0)
                goto done;
        }
        if ((rc = stamp_state(ctx, &v, applied, purge, problems, err)) < 0 ||
            (rc = mb_plan_stamp(result, g, applied, targets, n, purge,
                                err)) < 0)
            goto done;
        changes = purge ? v.n : 0;
        for (i = 0; i < g->n; i++)
            changes += purge ? result[i] : result[i] != applied[i];
        if (purge && changes == 2 * v.n) { /* the same rows again */
            size_t same = 0;

            for (i = 0; i < g->n; i++)
                same += result[i] && applied[i];
            if (same == v.n)
                changes = 0;
        }
        if (changes == 0)
            break;
    }
    if (changes == 0) {
        mb_log(&ctx->log, MB_LOG_PROGRESS, "nothing to do: the version "
               "table already records the target");
        /* the schema as it is at these heads is recorded all the same
         * when the latest fingerprint is not of it (none yet, or drift
         * to accept); an up-to-date one means nothing is written */
        if (!locked && (rc = ctx->be->lock(ctx->conn,
                                           ctx->vt->lock_key.ptr, err)) < 0)
            goto done;
        locked = 1;
        if ((rc = mb_vtable_probe(ctx->vt, err)) == MB_OK &&
            mb_vtable_ready(ctx->vt) && fingerprint_stale(ctx, applied) &&
            record_fingerprint(ctx) == MB_OK) {
            mb_log(&ctx->log, MB_LOG_PROGRESS, "recorded the schema "
                   "fingerprint at the current heads");
        }
        goto done;
    }
    if (purge) /* every row goes; the result is recorded anew */
        memset(applied, 0, g->n ? g->n : 1);
    if ((rc = ctx->be->begin(ctx->conn, err)) < 0)
        goto done;
    if ((rc = mb_vtable_ensure(ctx->vt, err)) < 0 ||
        (rc = write_stamp(ctx, &v, applied, result, purge, err)) < 0 ||
        (rc = commit_run(ctx, 1, err)) < 0) {
        mb_vtable_rollback(ctx->vt);
        goto done;
    }
    mb_log(&ctx->log, MB_LOG_PROGRESS, "stamped: %zu version row%s changed, "
           "no SQL of any revision ran", changes, changes == 1 ? "" : "s");
done:
    if (locked)
        ctx->be->unlock(ctx->conn);
    mb_versions_free(&v);
    free(applied);
    free(result);
    return rc;
}

int mb_resolve(mb_ctx *ctx, const char *spec, int applied_by_hand,
               mb_error *err)
{
    mb_unfinished u = MB_UNFINISHED_INIT;
    const mb_revision *rev;
    size_t node, i;
    char now[32];
    int rc, direction = 0, locked = 0, pass;

    if ((rc = mb_graph_lookup(&node, ctx->graph, spec, err)) < 0)
        return rc;
    rev = ctx->graph->nodes[node].rev;
    /* look first without the lock, so a refusal writes nothing at all */
    for (pass = 0; pass < 2 && rc == MB_OK; pass++) {
        if (pass == 1) {
            if ((rc = ctx->be->lock(ctx->conn, ctx->vt->lock_key.ptr,
                                    err)) < 0)
                goto done;
            locked = 1;
        }
        mb_unfinished_free(&u);
        direction = 0;
        if ((rc = mb_vtable_unresolved(ctx->vt, &u, err)) < 0)
            goto done;
        for (i = 0; i < u.n; i++)
            if (strcmp(u.rows[i].revision, rev->id) == 0)
                direction = u.rows[i].direction;
        if (direction == 0)
            break;
    }
    if (direction == 0) {
        rc = mb_error_set(err, MB_ETARGET, "revision %s has nothing to "
                          "resolve", rev->id);
        mb_error_hint(err, "resolve is for a transaction:false section "
                      "that did not finish; \"verify\" lists them");
        goto done;
    }
    mb_now_iso(now);
    {
        mb_log_entry le = mb_log_entry_of(
            rev, direction, ctx->bundle->digest, now, now,
            MB_OUTCOME_RESOLVED, applied_by_hand
                                     ? "resolved by the operator: applied"
                                     : "resolved by the operator: rolled "
                                       "back");
        /* "applied" means the section's effect is in place: for an up
         * the revision is now applied, for a down it is not */
        if ((rc = ctx->be->begin(ctx->conn, err)) < 0 ||
            (applied_by_hand &&
             (rc = mb_vtable_set(ctx->vt, rev, direction,
                                 ctx->bundle->digest, now, err)) < 0) ||
            (rc = mb_vtable_log(ctx->vt, &le, err)) < 0 ||
            (rc = mb_vtable_commit(ctx->vt, err)) < 0) {
            mb_vtable_rollback(ctx->vt);
            goto done;
        }
    }
    mb_log(&ctx->log, MB_LOG_PROGRESS, "revision %s resolved as %s",
           rev->id, applied_by_hand ? "applied" : "rolled back");
done:
    if (locked)
        ctx->be->unlock(ctx->conn);
    mb_unfinished_free(&u);
    return rc;
}

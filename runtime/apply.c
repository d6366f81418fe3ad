/*
 * apply.c -- a migration run (see mb/apply.h).
 *
 *   read state (no lock) -> integrity -> target -> plan -> nothing? done
 *   lock -> read state again -> integrity -> plan again (same target)
 *   per step: verify payload -> BEGIN -> section SQL -> version row
 *             -> log row -> COMMIT; on failure ROLLBACK, then a `failed`
 *             log row in a transaction of its own
 *
 * The target is resolved once, before the lock, so that a relative target
 * such as -1 means the same thing to every runner that started together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/apply.h"
#include "mb/plan.h"
#include "mb/revfile.h"

int mb_read_state(mb_ctx *ctx, mb_versions *v, unsigned char *applied,
                  mb_report *problems, mb_error *err)
{
    int rc;

    if ((rc = mb_vtable_read(ctx->vt, v, err)) < 0)
        return rc;
    return mb_versions_check(ctx->graph, v, applied, problems, err);
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

/* Append a `failed` log row for rev in its own transaction. Errors here
 * are reported on stderr but do not replace the original error. */
static void log_failure(mb_ctx *ctx, const mb_revision *rev, int direction,
                        const char *started, const mb_error *cause)
{
    char finished[32], text[2048];
    mb_error e = MB_ERROR_INIT;
    mb_log_entry le;
    int rc;

    mb_now_iso(finished);
    if (cause->line > 0)
        snprintf(text, sizeof text, "%s:%d: %s%s%s", cause->file,
                 cause->line, cause->msg, cause->detail[0] ? "\n" : "",
                 cause->detail);
    else
        snprintf(text, sizeof text, "%s", cause->msg);
    le = (mb_log_entry){rev->id, direction == MB_UP ? "up" : "down",
                        rev->checksum, ctx->bundle->digest, started,
                        finished, "failed", text};
    ctx->be->rollback(ctx->conn);
    if ((rc = ctx->be->begin(ctx->conn, &e)) < 0 ||
        (rc = mb_vtable_ensure(ctx->vt, &e)) < 0 ||
        (rc = mb_vtable_log(ctx->vt, &le, &e)) < 0 ||
        (rc = ctx->be->commit(ctx->conn, &e)) < 0) {
        ctx->be->rollback(ctx->conn);
        fprintf(stderr, "%s: warning: could not record the failure in the "
                "log table: %s\n", ctx->prog, e.msg);
    }
}

/* Record the step's version and log rows inside the open transaction. */
static int record(mb_ctx *ctx, const mb_revision *rev, int direction,
                  const char *started, mb_error *err)
{
    char finished[32];
    mb_log_entry le;
    int rc;

    mb_now_iso(finished);
    le = (mb_log_entry){rev->id, direction == MB_UP ? "up" : "down",
                        rev->checksum, ctx->bundle->digest, started,
                        finished, "ok", NULL};
    if ((rc = mb_vtable_set(ctx->vt, rev, direction, ctx->bundle->digest,
                            finished, err)) < 0)
        return rc;
    return mb_vtable_log(ctx->vt, &le, err);
}

static int run_step(mb_ctx *ctx, size_t node, int direction, mb_buf *text,
                    mb_error *err)
{
    const mb_revision *rev = ctx->graph->nodes[node].rev;
    const mb_section *sec = mb_revision_section(
        rev, direction == MB_UP ? MB_SECTION_UP : MB_SECTION_DOWN,
        ctx->be->dialect);
    mb_script script;
    char started[32];
    int rc, in_txn;

    /* Invariant: no SQL runs unless its checksum was verified just now. */
    if ((rc = mb_payload_text(text, NULL, rev, err)) < 0)
        return rc;
    if (!ctx->quiet)
        fprintf(stderr, "%s: %s %s (%s): %s\n", ctx->prog,
                direction == MB_UP ? "applying" : "rolling back", rev->id,
                rev->path, rev->message);
    mb_now_iso(started);
    in_txn = sec == NULL || sec->transaction;
    if (sec != NULL) {
        script = (mb_script){rev, text->ptr + sec->offset, sec->len,
                             sec->line + 1, sec->transaction};
    }
    if (!in_txn) {
        /* statements run in autocommit; the tables must exist first */
        if ((rc = ctx->be->begin(ctx->conn, err)) < 0 ||
            (rc = mb_vtable_ensure(ctx->vt, err)) < 0 ||
            (rc = ctx->be->commit(ctx->conn, err)) < 0 ||
            (rc = ctx->be->exec_script(ctx->conn, &script, err)) < 0)
            goto fail;
    }
    if ((rc = ctx->be->begin(ctx->conn, err)) < 0 ||
        (rc = mb_vtable_ensure(ctx->vt, err)) < 0)
        goto fail;
    if (in_txn && sec != NULL &&
        (rc = ctx->be->exec_script(ctx->conn, &script, err)) < 0)
        goto fail;
    if ((rc = record(ctx, rev, direction, started, err)) < 0 ||
        (rc = ctx->be->commit(ctx->conn, err)) < 0)
        goto fail;
    return MB_OK;
fail:
    if (rc != MB_ELOCKED)
        log_failure(ctx, rev, direction, started, err);
    else
        ctx->be->rollback(ctx->conn);
    return rc;
}

int mb_migrate(mb_ctx *ctx, int direction, const char *target,
               mb_report *problems, mb_error *err)
{
    const mb_graph *g = ctx->graph;
    unsigned char *applied = calloc(g->n ? g->n : 1, 1);
    mb_target t = MB_TARGET_INIT;
    mb_plan plan = MB_PLAN_INIT;
    mb_buf text = MB_BUF_INIT;
    size_t i;
    int rc, locked = 0;

    if (applied == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if ((rc = checked_state(ctx, applied, problems, err)) < 0 ||
        (rc = mb_target_resolve(&t, g, applied, target, direction, err)) < 0 ||
        (rc = mb_plan_make(&plan, g, applied, &t, direction,
                           ctx->be->dialect, err)) < 0)
        goto done;
    if (plan.n == 0)
        goto nothing;
    if ((rc = ctx->be->lock(ctx->conn, err)) < 0)
        goto done;
    locked = 1;
    /* another runner may have moved the database while we waited */
    mb_plan_free(&plan);
    if ((rc = checked_state(ctx, applied, problems, err)) < 0 ||
        (rc = mb_plan_make(&plan, g, applied, &t, direction,
                           ctx->be->dialect, err)) < 0)
        goto done;
    if (plan.n == 0)
        goto nothing;
    for (i = 0; i < plan.n; i++) {
        if ((rc = run_step(ctx, plan.steps[i], direction, &text, err)) < 0)
            goto done;
    }
    if (!ctx->quiet)
        fprintf(stderr, "%s: %s %zu revision%s\n", ctx->prog,
                direction == MB_UP ? "applied" : "rolled back", plan.n,
                plan.n == 1 ? "" : "s");
    goto done;
nothing:
    if (!ctx->quiet)
        fprintf(stderr, "%s: nothing to do: the database is already at "
                "the target\n", ctx->prog);
done:
    if (locked)
        ctx->be->unlock(ctx->conn);
    mb_buf_free(&text);
    mb_plan_free(&plan);
    mb_target_free(&t);
    free(applied);
    return rc;
}

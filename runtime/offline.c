/*
 * offline.c -- the SQL of a run as a script (see mb/offline.h).
 *
 *   header comments; session settings; the lock (PostgreSQL)
 *   BEGIN; the tables if missing; the guard; step 1; its rows; COMMIT
 *   BEGIN; step 2; its rows; COMMIT ...
 *   a transaction:false step: BEGIN; its `started` log row; COMMIT;
 *     its statements; BEGIN; its rows; COMMIT (as apply.c runs it)
 *
 * Nothing here decides what a run does: START's applied set is what
 * mb_plan_stamp() records for it, the steps are mb_plan_make()'s (or the
 * rows mb_plan_stamp()'s), each step's section is mb_revision_section()'s
 * for the dialect, and the table DDL, version rows and log rows are
 * vtable.c's text. vtable.c quotes through a backend: here a backend
 * that only quotes (no connection, so no PQescapeLiteral): standard SQL
 * quoting, which PostgreSQL reads as such with standard_conforming_strings
 * on, and the script sets it first. What a run reads from its clock, the
 * script takes from the database's (vtable.c's db_clock).
 *
 * The guard is the first transaction's first statement after the tables
 * exist: it fails unless the version table holds exactly START's rows,
 * with the bundle's checksums, and no transaction:false section waits
 * for `resolve` (mb_vtable_state_sql). PostgreSQL: a DO block that
 * raises. SQLite, where RAISE() exists only in triggers: a TEMP table
 * whose BEFORE INSERT trigger raises when the condition inserted is
 * false. Under ON_ERROR_STOP or -bail the client stops there and its
 * open transaction is rolled back: nothing changed. A script that ran
 * already meets the rows it wrote and stops there too.
 */
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/apply.h"
#include "mb/checksum.h"
#include "mb/offline.h"
#include "mb/plan.h"
#include "mb/revision.h"
#include "mb/sqlsplit.h"
#include "mb/verify.h"
#include "mb/vtable.h"

/* Backends that only quote: vtable.c's text functions call nothing
 * else, and nothing else is given one of these. */
static const mb_backend text_backends[] = {
    {.scheme = "postgresql", .dialect = MB_DIALECT_POSTGRESQL,
     .quote_ident = mb_sql_quote_ident,
     .quote_literal = mb_sql_quote_literal},
    {.scheme = "sqlite", .dialect = MB_DIALECT_SQLITE,
     .quote_ident = mb_sql_quote_ident,
     .quote_literal = mb_sql_quote_literal},
};

typedef struct script script;

/* What differs between the dialects' scripts. */
typedef struct dialect_text {
    int dialect;
    const char *name;
    const char *run_with; /* the command line the header suggests */
    const char *begin;    /* what the backend's begin() sends */
    /* session settings and the lock; the lock's release at the end */
    int (*prelude)(const script *s, mb_error *err);
    int (*postlude)(const script *s, mb_error *err);
    /* a statement that fails with msg (a quoted literal) unless cond */
    int (*guard)(const script *s, const char *cond, const char *msg,
                 mb_error *err);
} dialect_text;

struct script {
    mb_buf *out;
    const mb_offline *o;
    const dialect_text *d;
    mb_vtable vt;
    int guarded;      /* the first transaction's tables and guard are out */
    char start[MB_ID_MAX + 8]; /* START's revision id, or "base" */
    const mb_revision **start_revs; /* START's applied set */
    size_t n_start;
};

/* The lock online runs take (backend_pg.c), as the first key pair. */
static int pg_prelude(const script *s, mb_error *err)
{
    return mb_buf_printf(s->out, err,
                         "SET standard_conforming_strings = on;\n"
                         "-- the lock of online runs, held to the end\n"
                         "SET lock_timeout = %ld;\n"
                         "SELECT pg_advisory_lock(%d, %d);\n"
                         "RESET lock_timeout;\n",
                         (long)(s->o->lock_timeout * 1000.0) + 1,
                         MB_LOCK_CLASS, mb_lock_number(s->vt.lock_key.ptr));
}

static int pg_postlude(const script *s, mb_error *err)
{
    return mb_buf_printf(s->out, err, "SELECT pg_advisory_unlock(%d, %d);\n",
                         MB_LOCK_CLASS, mb_lock_number(s->vt.lock_key.ptr));
}

static int pg_guard(const script *s, const char *cond, const char *msg,
                    mb_error *err)
{
    if (strchr(cond, '$') != NULL || strchr(msg, '$') != NULL)
        return mb_error_set(err, MB_ERROR, "the guard's text holds a \"$\"");
    return mb_buf_printf(s->out, err, "DO $mb_guard$ BEGIN\n"
                         "    IF NOT (%s) THEN\n"
                         "        RAISE EXCEPTION USING MESSAGE = %s;\n"
                         "    END IF;\n"
                         "END $mb_guard$;\n", cond, msg);
}

/* SQLite's busy timeout is the lock timeout of online runs too. */
static int sqlite_prelude(const script *s, mb_error *err)
{
    return mb_buf_printf(s->out, err, "PRAGMA busy_timeout = %ld;\n",
                         (long)(s->o->lock_timeout * 1000.0));
}

static int sqlite_postlude(const script *s, mb_error *err)
{
    (void)s;
    (void)err;
    return MB_OK;
}

static int sqlite_guard(const script *s, const char *cond, const char *msg,
                        mb_error *err)
{
    return mb_buf_printf(s->out, err,
                         "CREATE TEMP TABLE mb_guard (ok INTEGER NOT NULL);\n"
                         "CREATE TEMP TRIGGER mb_guard_check BEFORE INSERT "
                         "ON mb_guard WHEN NOT NEW.ok\n"
                         "BEGIN SELECT RAISE(ABORT, %s); END;\n"
                         "INSERT INTO temp.mb_guard (ok) SELECT %s;\n"
                         "DROP TABLE temp.mb_guard;\n", msg, cond);
}

static const dialect_text dialects[] = {
    {MB_DIALECT_POSTGRESQL, "postgresql",
     "psql -X -v ON_ERROR_STOP=1 -f FILE (with the connection options)",
     "BEGIN", pg_prelude, pg_postlude, pg_guard},
    {MB_DIALECT_SQLITE, "sqlite", "sqlite3 -bail DATABASE <FILE", "BEGIN "
     "IMMEDIATE", sqlite_prelude, sqlite_postlude, sqlite_guard},
};

/* Text from the bundle inside a "--" comment: one line, bytes below 0x20
 * shown as '?'. */
static int put_comment_text(mb_buf *out, const char *s, mb_error *err)
{
    int rc = MB_OK;

    for (; *s != '\0' && rc == MB_OK; s++) /* bounded by the NUL */
        rc = mb_buf_put(out, (unsigned char)*s < 0x20 ? "?" : s, 1, err);
    return rc;
}

static int script_open(script *s, mb_buf *out, const mb_offline *o,
                       mb_error *err)
{
    size_t i;

    memset(s, 0, sizeof *s);
    s->out = out;
    s->o = o;
    for (i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
        if (dialects[i].dialect == o->dialect)
            s->d = &dialects[i];
    if (s->d == NULL)
        return mb_error_set(err, MB_EUSAGE, "an offline script needs the "
                            "dialect postgresql or sqlite");
    return mb_vtable_init(&s->vt, &text_backends[s->d - dialects], NULL,
                          o->schema, o->version_name, o->log_name, err);
}

static void script_close(script *s)
{
    mb_vtable_free(&s->vt);
    free(s->start_revs);
}

/*
 * START's applied set into applied[0..g->n) (what `stamp START` records
 * on an empty table) and s->start, s->start_revs. START must name one
 * revision or none, as Alembic's --sql asks.
 */
static int start_state(script *s, unsigned char *applied, const char *start,
                       mb_error *err)
{
    const mb_graph *g = s->o->graph;
    unsigned char *none = NULL;
    size_t *revs = NULL, n = 0, i;
    const char *id;
    int rc;

    memset(applied, 0, g->n ? g->n : 1);
    strcpy(s->start, "base");
    if (start == NULL || strcmp(start, "base") == 0)
        goto set;
    if ((rc = mb_plan_revisions(&revs, &n, g, NULL, start, err)) < 0) {
        if (err->detail[0] == '\0')
            mb_error_detail(err, "\"%s\" is the start: the revision the "
                            "database is at", start);
        return rc;
    }
    if (n > 1) {
        mb_error_set(err, MB_ETARGET, "the start \"%s\" names %zu revisions",
                     start, n);
        mb_error_hint(err, "a script starts from one revision or base, as "
                      "in Alembic; name the one revision the database is "
                      "at");
        free(revs);
        return MB_ETARGET;
    }
    if (n == 1) {
        id = g->nodes[revs[0]].rev->id;
        snprintf(s->start, sizeof s->start, "%s", id);
        if ((none = mb_calloc(g->n ? g->n : 1, 1)) == NULL) {
            free(revs);
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        }
        rc = mb_plan_stamp(applied, g, none, &id, 1, 0, err);
        free(none);
        free(revs);
        if (rc < 0)
            return rc;
    }
set:
    s->start_revs = mb_calloc(g->n ? g->n : 1, sizeof *s->start_revs);
    if (s->start_revs == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    for (i = 0; i < g->n; i++)
        if (applied[i])
            s->start_revs[s->n_start++] = g->nodes[i].rev;
    return MB_OK;
}

/* The comments that open the script, and the session's settings. */
static int header(script *s, const char *command, const char *end,
                  const char *what, mb_error *err)
{
    const mb_offline *o = s->o;
    int rc;

    if ((rc = mb_buf_printf(s->out, err, "-- %s %s --sql: the SQL of \"%s\" "
                            "from %s to ", o->prog, command, command,
                            s->start)) < 0 ||
        (rc = put_comment_text(s->out, end, err)) < 0 ||
        (rc = mb_buf_printf(s->out, err, " on %s\n"
                            "-- bundle %s (%u revisions, %s)\n"
                            "-- start: %s, where the version table holds "
                            "%zu row%s\n-- ", s->d->name, o->bundle->digest,
                            o->bundle->n_revisions, o->bundle->generator,
                            s->start, s->n_start,
                            s->n_start == 1 ? "" : "s")) < 0 ||
        (rc = put_comment_text(s->out, what, err)) < 0 ||
        (rc = mb_buf_printf(s->out, err, "\n-- Run it with %s: it stops "
                            "before it changes anything\n"
                            "-- when the database is not at the start "
                            "(when it ran already, too).\n",
                            s->d->run_with)) < 0)
        return rc;
    return s->d->prelude(s, err);
}

/* BEGIN; and, in the first transaction, the tables and the guard. */
static int begin(script *s, mb_error *err)
{
    mb_buf cond = MB_BUF_INIT, msg = MB_BUF_INIT, text = MB_BUF_INIT;
    int rc;

    if ((rc = mb_buf_printf(s->out, err, "%s;\n", s->d->begin)) < 0 ||
        s->guarded)
        return rc;
    s->guarded = 1;
    rc = mb_buf_printf(&text, err, "this database is not at %s, where "
                       "this script starts (%zu version row%s with the "
                       "bundle's checksums, no unfinished transaction:false "
                       "section): the script ran already, or this is "
                       "another database; nothing was changed", s->start,
                       s->n_start, s->n_start == 1 ? "" : "s");
    if (rc == MB_OK)
        rc = mb_sql_quote_literal(NULL, &msg, text.ptr, err);
    if (rc == MB_OK)
        rc = mb_vtable_state_sql(&s->vt, &cond, s->start_revs, s->n_start,
                                 err);
    if (rc == MB_OK)
        rc = mb_buf_puts(s->out, "-- the version and log tables, if "
                         "missing\n", err);
    if (rc == MB_OK)
        rc = mb_vtable_ddl_sql(&s->vt, s->out, err);
    if (rc == MB_OK)
        rc = mb_buf_puts(s->out, "-- stop unless the database is at the "
                         "start\n", err);
    if (rc == MB_OK)
        rc = s->d->guard(s, cond.ptr, msg.ptr, err);
    mb_buf_free(&cond);
    mb_buf_free(&msg);
    mb_buf_free(&text);
    return rc;
}

static int commit(script *s, mb_error *err)
{
    return mb_buf_puts(s->out, "COMMIT;\n", err);
}

/* The section's text as written, its last statement given the ";" that
 * a client needs to end it. Where the splitter cannot split the text
 * (SQLite syntax PostgreSQL's lexer does not know; the bundler splits
 * every section that can run on PostgreSQL), a ";" line follows it
 * unless its last byte but white space is one. */
static int put_section(script *s, const mb_revision *r, const mb_section *sec,
                       const mb_buf *text, mb_error *err)
{
    mb_error ignored = MB_ERROR_INIT;
    mb_stmts st = MB_STMTS_INIT;
    const char *sql, *semi = ";";
    size_t end;
    int rc;

    if (sec->offset > text->len || sec->len > text->len - sec->offset)
        return mb_error_set(err, MB_EINTEGRITY, "embedded revision %s (%s) "
                            "is corrupt: a section lies outside its text",
                            r->id, r->path);
    sql = text->ptr + sec->offset;
    end = sec->len;
    if (mb_sql_split(&st, sql, sec->len, r->path, sec->line + 1,
                     &ignored) == MB_OK) {
        end = st.n > 0 ? st.v[st.n - 1].offset + st.v[st.n - 1].len : 0;
    } else {
        while (end > 0 && strchr(" \t\r\n", sql[end - 1]) != NULL)
            end--;
        semi = "\n;";
    }
    mb_stmts_free(&st);
    if ((rc = mb_buf_put(s->out, sql, end, err)) < 0 ||
        (end > 0 && sql[end - 1] != ';' &&
         (rc = mb_buf_puts(s->out, semi, err)) < 0) ||
        (rc = mb_buf_put(s->out, sql + end, sec->len - end, err)) < 0)
        return rc;
    if (s->out->len > 0 && s->out->ptr[s->out->len - 1] != '\n')
        rc = mb_buf_puts(s->out, "\n", err);
    return rc;
}

/* Add rev's version row and log row to rows (times: the database's). */
static int add_row(script *s, mb_vtable_rows *rows, const mb_revision *rev,
                   int direction, int log_direction, const char *error,
                   mb_error *err)
{
    mb_log_entry le = mb_log_entry_of(rev, log_direction,
                                      s->o->bundle->digest, "", "",
                                      MB_OUTCOME_OK, error);

    rows->db_clock = 1;
    return mb_vtable_rows_add(&s->vt, rows, rev, direction, &le, err);
}

/* A step's version and log rows. */
static int put_rows(script *s, const mb_revision *rev, int direction,
                    mb_error *err)
{
    mb_vtable_rows rows = MB_VTABLE_ROWS_INIT;
    int rc;

    if ((rc = add_row(s, &rows, rev, direction, direction, NULL, err)) ==
        MB_OK)
        rc = mb_vtable_rows_sql(&s->vt, s->out, &rows, direction, err);
    mb_vtable_rows_free(&rows);
    return rc;
}

/* The comment lines before a step (after its payload is verified). */
static int step_comment(script *s, const mb_revision *rev, int direction,
                        const mb_section *sec, mb_buf *text,
                        mb_inflater *inf, mb_error *err)
{
    int rc;

    /* Invariant: no SQL is printed unless its checksum was verified. */
    if ((rc = mb_payload_text(text, inf, rev, err)) < 0 ||
        (rc = mb_buf_printf(s->out, err, "\n-- %s %s: ",
                            direction == MB_UP ? "up" : "down",
                            rev->id)) < 0 ||
        (rc = put_comment_text(s->out, rev->message, err)) < 0 ||
        (rc = mb_buf_puts(s->out, "\n-- ", err)) < 0 ||
        (rc = put_comment_text(s->out, rev->path, err)) < 0)
        return rc;
    if (sec == NULL)
        return mb_buf_puts(s->out, " (no SQL)\n", err);
    return mb_buf_printf(s->out, err, ":%u (%s section, transaction:%s)\n",
                         sec->line, sec->dialect == MB_DIALECT_ANY
                                        ? "generic" : s->d->name,
                         sec->transaction ? "true" : "false");
}

static const mb_section *step_section(const script *s,
                                      const mb_revision *rev, int direction)
{
    return mb_revision_section(rev, direction == MB_UP ? MB_SECTION_UP
                                                       : MB_SECTION_DOWN,
                               s->o->dialect);
}

/* One step of a plan, as apply.c's run_step() runs it. */
static int put_step(script *s, const mb_revision *rev, int direction,
                    mb_buf *text, mb_inflater *inf, mb_error *err)
{
    const mb_section *sec = step_section(s, rev, direction);
    int autocommit = sec != NULL && !sec->transaction, rc;

    if ((rc = step_comment(s, rev, direction, sec, text, inf, err)) < 0 ||
        (rc = begin(s, err)) < 0)
        return rc;
    if (autocommit) {
        mb_log_entry le = mb_log_entry_of(rev, direction,
                                          s->o->bundle->digest, "", NULL,
                                          MB_OUTCOME_STARTED, NULL);

        if ((rc = mb_vtable_log_sql(&s->vt, s->out, &le, err)) < 0 ||
            (rc = commit(s, err)) < 0 ||
            (rc = mb_buf_puts(s->out, "-- outside a transaction, statement "
                              "by statement\n", err)) < 0)
            return rc;
    }
    if (sec != NULL && (rc = put_section(s, rev, sec, text, err)) < 0)
        return rc;
    if (autocommit && (rc = begin(s, err)) < 0)
        return rc;
    if ((rc = put_rows(s, rev, direction, err)) < 0)
        return rc;
    return commit(s, err);
}

/*
 * --single-transaction, as apply.c's run_plan() runs it: one transaction,
 * every section, then the rows of all steps together before the COMMIT
 * (mb_check_single() refused a transaction:false section before).
 */
static int put_single(script *s, const mb_plan *plan, mb_buf *text,
                      mb_inflater *inf, mb_error *err)
{
    const mb_graph *g = s->o->graph;
    mb_vtable_rows rows = MB_VTABLE_ROWS_INIT;
    size_t i;
    int rc;

    rc = mb_buf_puts(s->out, "\n-- --single-transaction: the whole run in "
                     "one transaction\n", err);
    if (rc == MB_OK)
        rc = begin(s, err);
    for (i = 0; i < plan->n && rc == MB_OK; i++) {
        const mb_revision *rev = g->nodes[plan->steps[i]].rev;
        const mb_section *sec = step_section(s, rev, plan->direction);

        if ((rc = step_comment(s, rev, plan->direction, sec, text, inf,
                               err)) == MB_OK &&
            (sec == NULL || (rc = put_section(s, rev, sec, text, err)) ==
                                MB_OK))
            rc = add_row(s, &rows, rev, plan->direction, plan->direction,
                         NULL, err);
    }
    if (rc == MB_OK)
        rc = mb_buf_puts(s->out, "\n-- the version and log rows of the "
                         "run\n", err);
    if (rc == MB_OK)
        rc = mb_vtable_rows_sql(&s->vt, s->out, &rows, plan->direction, err);
    if (rc == MB_OK)
        rc = commit(s, err);
    mb_vtable_rows_free(&rows);
    return rc;
}

/* Nothing to run: the guard checks the start, and nothing is changed. */
static int nothing(script *s, mb_error *err)
{
    int rc;

    if ((rc = mb_buf_puts(s->out, "\n-- nothing to do: the database is "
                          "already at the end\n", err)) < 0 ||
        (rc = begin(s, err)) < 0)
        return rc;
    return mb_buf_puts(s->out, "ROLLBACK;\n", err);
}

int mb_offline_migrate(mb_buf *out, const mb_offline *o, int direction,
                       const char *start, const char *target, size_t *steps,
                       mb_error *err)
{
    const mb_graph *g = o->graph;
    unsigned char *applied = mb_calloc(g->n ? g->n : 1, 1);
    mb_plan plan = MB_PLAN_INIT;
    mb_buf text = MB_BUF_INIT, what = MB_BUF_INIT;
    mb_inflater inf = MB_INFLATER_INIT;
    const char *verb = direction == MB_UP ? "apply" : "roll back";
    script s;
    size_t i;
    int rc;

    *steps = 0;
    if ((rc = script_open(&s, out, o, err)) < 0) {
        free(applied);
        return rc;
    }
    if (applied == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = start_state(&s, applied, start, err)) < 0 ||
        (rc = mb_plan_make(&plan, g, applied, target, direction, o->dialect,
                           err)) < 0 ||
        (o->single && (rc = mb_check_single(g, &plan, o->dialect, err)) < 0))
        goto done;
    if ((rc = mb_buf_printf(&what, err, "end: %s (%s), %zu revision%s to "
                            "%s", target, plan.resolved, plan.n,
                            plan.n == 1 ? "" : "s", verb)) < 0 ||
        (rc = header(&s, direction == MB_UP ? "up" : "down", target,
                     what.ptr, err)) < 0)
        goto done;
    if (o->single && plan.n > 0)
        rc = put_single(&s, &plan, &text, &inf, err);
    for (i = 0; !o->single && i < plan.n && rc == MB_OK; i++)
        rc = put_step(&s, g->nodes[plan.steps[i]].rev, direction, &text,
                      &inf, err);
    if (rc == MB_OK && plan.n == 0)
        rc = nothing(&s, err);
    if (rc == MB_OK)
        rc = s.d->postlude(&s, err);
    if (rc == MB_OK)
        *steps = plan.n;
done:
    script_close(&s);
    mb_plan_free(&plan);
    mb_buf_free(&text);
    mb_buf_free(&what);
    mb_inflater_free(&inf);
    free(applied);
    return rc;
}

/*
 * The stamp's rows, as apply.c's write_stamp() writes them: the version
 * rows that go (each logged "removed by stamp"), then those that come,
 * each set in one statement (two on SQLite).
 */
static int put_stamp(script *s, const unsigned char *applied,
                     const unsigned char *result, mb_error *err)
{
    const mb_graph *g = s->o->graph;
    mb_vtable_rows adds = MB_VTABLE_ROWS_INIT, removes = MB_VTABLE_ROWS_INIT;
    size_t i;
    int rc = MB_OK;

    for (i = 0; i < g->n && rc == MB_OK; i++)
        if (result[i] && !applied[i])
            rc = add_row(s, &adds, g->nodes[i].rev, MB_UP, MB_STAMP, NULL,
                         err);
        else if (!result[i] && applied[i])
            rc = add_row(s, &removes, g->nodes[i].rev, MB_DOWN, MB_STAMP,
                         "removed by stamp", err);
    if (rc == MB_OK)
        rc = mb_buf_puts(s->out, "\n-- the version rows that change, each "
                         "with its log row\n", err);
    if (rc == MB_OK)
        rc = begin(s, err);
    if (rc == MB_OK)
        rc = mb_vtable_rows_sql(&s->vt, s->out, &removes, MB_DOWN, err);
    if (rc == MB_OK)
        rc = mb_vtable_rows_sql(&s->vt, s->out, &adds, MB_UP, err);
    if (rc == MB_OK)
        rc = commit(s, err);
    mb_vtable_rows_free(&adds);
    mb_vtable_rows_free(&removes);
    return rc;
}

int mb_offline_stamp(mb_buf *out, const mb_offline *o, const char *start,
                     const char *const *targets, size_t n, size_t *changes,
                     mb_error *err)
{
    const mb_graph *g = o->graph;
    unsigned char *applied = mb_calloc(g->n ? g->n : 1, 1);
    unsigned char *result = mb_calloc(g->n ? g->n : 1, 1);
    mb_buf end = MB_BUF_INIT, what = MB_BUF_INIT;
    script s;
    size_t i;
    int rc;

    *changes = 0;
    if ((rc = script_open(&s, out, o, err)) < 0)
        goto done;
    if (applied == NULL || result == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = start_state(&s, applied, start, err)) < 0 ||
        (rc = mb_plan_stamp(result, g, applied, targets, n, 0, err)) < 0)
        goto done;
    for (i = 0; i < g->n; i++)
        *changes += result[i] != applied[i];
    for (i = 0; i < n && rc == MB_OK; i++)
        rc = mb_buf_printf(&end, err, "%s%s", i ? " " : "", targets[i]);
    if (rc < 0 ||
        (rc = mb_buf_printf(&what, err, "end: stamp %s, %zu version row%s "
                            "to change, no SQL of any revision", end.ptr,
                            *changes, *changes == 1 ? "" : "s")) < 0 ||
        (rc = header(&s, "stamp", end.ptr, what.ptr, err)) < 0)
        goto done;
    rc = *changes == 0 ? nothing(&s, err) : put_stamp(&s, applied, result,
                                                      err);
    if (rc == MB_OK)
        rc = s.d->postlude(&s, err);
done:
    script_close(&s);
    mb_buf_free(&end);
    mb_buf_free(&what);
    free(applied);
    free(result);
    return rc;
}

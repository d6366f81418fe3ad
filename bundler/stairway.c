/*
 * stairway.c -- the up/down/up replay of `migbundle check` (see
 * stairway.h).
 *
 * The order is the plan of `up heads` from an empty database
 * (plan.c, Alembic's order). For each revision R of it:
 *
 *   S0 = snapshot; up R; down R; S1 = snapshot; S0 == S1?; up R again
 *
 * The sections run as app-migrate runs them (mb_run_section: the
 * dialect's section, a transactional one between BEGIN and COMMIT, a
 * transaction:false one statement by statement outside a transaction),
 * without the version and log tables, which the replay has no use for.
 * The second up catches a down that leaves something behind that the
 * schema does not show (a row that a unique index then refuses, say).
 * A revision with no down section for the database cannot be tested
 * that way: its up runs, a note says so, and the replay goes on.
 *
 * The schema is compared through mb/schema.h: the first difference
 * found stops the replay, reported at the down section's marker with
 * every differing object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/apply.h"
#include "mb/plan.h"
#include "mb/revision.h"
#include "mb/schema.h"
#include "mb/url.h"
#include "stairway.h"

#define SQLITE_MEMORY "sqlite::memory:"

/* A definition shown in a detail line is cut after this many bytes. */
#define SHOWN_DEF 120

typedef struct replay {
    const mb_project *p;
    const mb_backend *be;
    mb_conn *conn;
    const char *label; /* the database, in messages: "sqlite" */
    const char *prog;
    FILE *fp;
} replay;

/* The backends' notices and progress, as "PROG: MESSAGE". */
static void print_log(void *arg, int level, const char *msg)
{
    const replay *r = arg;

    (void)level;
    fprintf(r->fp, "%s: %s\n", r->prog, msg);
}

static mb_connect_opts connect_opts(replay *r)
{
    return (mb_connect_opts){0, 10.0, 0.0, r->prog, {print_log, r}};
}

/* "revision ID failed: X" (the backend's words) becomes "X". */
static const char *server_words(const char *msg, const char *id)
{
    size_t n = strlen("revision ");

    if (strncmp(msg, "revision ", n) == 0 &&
        strncmp(msg + n, id, strlen(id)) == 0 &&
        strncmp(msg + n + strlen(id), " failed: ", 9) == 0)
        return msg + n + strlen(id) + 9;
    return msg;
}

/* Run one section; a failure names the replay, the step and DIR/PATH. */
static int run(const replay *r, const mb_revision *rev,
               const mb_section *sec, const char *step, mb_error *err)
{
    char msg[sizeof err->msg];
    int rc;

    rc = mb_run_section(r->be, r->conn, rev, sec, (const char *)rev->data,
                        err);
    if (rc == MB_OK)
        return MB_OK;
    snprintf(msg, sizeof msg, "%s", server_words(err->msg, rev->id));
    if (snprintf(err->msg, sizeof err->msg, "stairway %s: %s of revision "
                 "%s failed: %s", r->label, step, rev->id, msg) < 0)
        err->msg[0] = '\0';
    if (err->file[0] == '\0') { /* BEGIN or COMMIT: the section's marker */
        snprintf(err->file, sizeof err->file, "%s", rev->path);
        err->line = (int)sec->line;
    }
    mb_project_relocate_error(err, r->p);
    return rc < 0 && rc != MB_ENOMEM ? MB_EDB : rc;
}

/*
 * One object's definition on one line: runs of white space (the line
 * breaks of pg_get_viewdef and pg_get_functiondef) made one space, cut
 * after SHOWN_DEF bytes.
 */
static void shown_def(char *out, size_t size, const mb_schema_obj *o)
{
    const char *s = o->def;
    size_t n = 0;
    int space = 0;

    for (; *s != '\0' && n + 4 < size && n < SHOWN_DEF; s++) {
        if (strchr(" \t\n\r", *s) != NULL) {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = 0;
        out[n++] = *s;
    }
    while (*s != '\0' && strchr(" \t\n\r", *s) != NULL)
        s++;
    if (*s != '\0')
        n += (size_t)snprintf(out + n, size - n, "...");
    out[n] = '\0';
}

static const mb_schema_obj *obj_of(const mb_schema_delta *x)
{
    return x->before != NULL ? x->before : x->after;
}

/*
 * owner[i] = the index of the delta that d->v[i] is part of: the same
 * change to the object that owns it (a column of a table left behind, the
 * constraint of a domain that is gone), or i itself. A part is told on
 * its owner's line, not on a line of its own.
 */
static void find_owners(size_t *owner, const mb_schema_diff *d)
{
    size_t i, j;

    for (i = 0; i < d->n; i++) {
        const mb_schema_obj *o = obj_of(&d->v[i]);

        owner[i] = i;
        if (d->v[i].change == MB_SCHEMA_CHANGED ||
            strcmp(o->owner, o->name) == 0)
            continue;
        for (j = 0; j < d->n; j++) {
            const mb_schema_obj *w = obj_of(&d->v[j]);

            if (j != i && d->v[j].change == d->v[i].change &&
                strcmp(w->name, o->owner) == 0 &&
                strcmp(w->owner, w->name) == 0) {
                owner[i] = j;
                break;
            }
        }
    }
}

/* ", with N objects of its own (column, index)" for delta k, or "". */
static void parts_of(char *out, size_t size, const size_t *owner,
                     const mb_schema_diff *d, size_t k)
{
    size_t i, j, n = 0, used;
    int len;

    out[0] = '\0';
    for (i = 0; i < d->n; i++)
        n += owner[i] == k && i != k;
    if (n == 0)
        return;
    len = snprintf(out, size, ", with %zu object%s of its own (", n,
                   n == 1 ? "" : "s");
    used = len > 0 ? (size_t)len : 0;
    for (i = 0; i < d->n && used + 2 < size; i++) {
        const char *kind = obj_of(&d->v[i])->kind;

        if (owner[i] != k || i == k)
            continue;
        for (j = 0; j < i; j++) { /* each kind once */
            if (owner[j] == k && j != k &&
                strcmp(obj_of(&d->v[j])->kind, kind) == 0)
                break;
        }
        if (j < i)
            continue;
        len = snprintf(out + used, size - used, "%s%s",
                       out[used - 1] == '(' ? "" : ", ", kind);
        used += len > 0 ? (size_t)len : 0;
    }
    if (used + 2 <= size)
        memcpy(out + used, ")", 2);
}

/* The line that tells delta k of d (with the parts it owns). */
static void delta_line(char *line, size_t size, const size_t *owner,
                       const mb_schema_diff *d, size_t k)
{
    const mb_schema_delta *x = &d->v[k];
    const mb_schema_obj *o = obj_of(x);
    char a[SHOWN_DEF + 8], b[SHOWN_DEF + 8], parts[256];

    a[0] = b[0] = '\0';
    if (x->before != NULL)
        shown_def(a, sizeof a, x->before);
    if (x->after != NULL)
        shown_def(b, sizeof b, x->after);
    parts_of(parts, sizeof parts, owner, d, k);
    if (x->change == MB_SCHEMA_ADDED)
        snprintf(line, size, "%s %s: left behind%s%s%s", o->kind, o->name,
                 b[0] ? ": " : "", b, parts);
    else if (x->change == MB_SCHEMA_REMOVED)
        snprintf(line, size, "%s %s: gone (before the up%s%s)%s", o->kind,
                 o->name, a[0] ? ": " : "", a, parts);
    else
        snprintf(line, size, "%s %s: changed: before the up: %s; after "
                 "the down: %s", o->kind, o->name, a[0] ? a : "(empty)",
                 b[0] ? b : "(empty)");
}

/* Fill err with the differences of d, as many lines as fit. */
static int report_diff(const replay *r, const mb_revision *rev,
                       const mb_section *down, const mb_schema_diff *d,
                       mb_error *err)
{
    char detail[sizeof err->detail], line[768];
    size_t *owner = mb_calloc(d->n ? d->n : 1, sizeof *owner);
    size_t i, k, used = 0, left = 0;

    if (owner == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    find_owners(owner, d);
    for (i = 0; i < d->n; i++)
        left += owner[i] == i;
    mb_error_at(err, MB_EDB, rev->path, (int)down->line, "stairway %s: "
                "the down section of revision %s does not restore the "
                "schema", r->label, rev->id);
    mb_project_relocate_error(err, r->p);
    detail[0] = '\0';
    for (k = 0; k < d->n; k++) {
        if (owner[k] != k)
            continue;
        delta_line(line, sizeof line, owner, d, k);
        /* keep room for the last line, "and N more differences" */
        if (used + strlen(line) + 48 >= sizeof detail) {
            snprintf(detail + used, sizeof detail - used, "%sand %zu more "
                     "difference%s", used ? "\n" : "", left,
                     left == 1 ? "" : "s");
            break;
        }
        used += (size_t)snprintf(detail + used, sizeof detail - used,
                                 "%s%s", used ? "\n" : "", line);
        left--;
    }
    free(owner);
    mb_error_detail(err, "%s", detail);
    mb_error_hint(err, "make the down section undo exactly what the up "
                  "section does");
    return MB_EDB;
}

/* Up, down, compare, up again: one step of the stairway. */
static int step(const replay *r, const mb_revision *rev, int *tested,
                mb_error *err)
{
    const mb_section *up = mb_revision_section(rev, MB_SECTION_UP,
                                               r->be->dialect);
    const mb_section *down = mb_revision_section(rev, MB_SECTION_DOWN,
                                                 r->be->dialect);
    mb_schema s0 = MB_SCHEMA_INIT, s1 = MB_SCHEMA_INIT;
    mb_schema_diff d = MB_SCHEMA_DIFF_INIT;
    mb_buf shown = MB_BUF_INIT;
    int rc;

    *tested = 0;
    if (down == NULL) {
        /* the parser gives every revision an up section per dialect */
        if ((rc = run(r, rev, up, "up", err)) < 0)
            return rc;
        if (mb_scan_join(&shown, r->p->scan.dir, rev->path, err) < 0)
            return MB_ENOMEM;
        fprintf(r->fp, "%s: note: %s:%u: stairway %s: revision %s has no "
                "down section for %s: its up ran, down and up again were "
                "not tested\n", r->prog, shown.ptr, rev->id_line, r->label,
                rev->id, r->label);
        mb_buf_free(&shown);
        return MB_OK;
    }
    if ((rc = mb_schema_snapshot(&s0, r->be, r->conn, NULL, 0, err)) < 0 ||
        (rc = run(r, rev, up, "up", err)) < 0 ||
        (rc = run(r, rev, down, "down", err)) < 0 ||
        (rc = mb_schema_snapshot(&s1, r->be, r->conn, NULL, 0, err)) < 0 ||
        (rc = mb_schema_diff_make(&d, &s0, &s1, err)) < 0)
        goto done;
    if (d.n > 0) {
        rc = report_diff(r, rev, down, &d, err);
        goto done;
    }
    if ((rc = run(r, rev, up, "second up", err)) < 0) {
        mb_error_hint(err, "the down section left something behind that "
                      "the up section trips over");
        goto done;
    }
    *tested = 1;
done:
    mb_schema_diff_free(&d);
    mb_schema_free(&s0);
    mb_schema_free(&s1);
    return rc;
}

/* The whole stairway on r's open connection. */
static int replay_all(const replay *r, mb_error *err)
{
    const mb_graph *g = &r->p->graph;
    unsigned char *applied = mb_calloc(g->n ? g->n : 1, 1);
    mb_plan plan = MB_PLAN_INIT;
    size_t i, n_tested = 0;
    int rc, tested;

    if (applied == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if ((rc = mb_plan_make(&plan, g, applied, "heads", MB_UP,
                           r->be->dialect, err)) < 0)
        goto done;
    for (i = 0; i < plan.n; i++) {
        if ((rc = step(r, g->nodes[plan.steps[i]].rev, &tested, err)) < 0)
            goto done;
        n_tested += (size_t)tested;
    }
    fprintf(r->fp, "%s: stairway %s: %zu revision%s up/down/up ok", r->prog,
            r->label, n_tested, n_tested == 1 ? "" : "s");
    if (n_tested < plan.n)
        fprintf(r->fp, ", %zu irreversible (up only)", plan.n - n_tested);
    fprintf(r->fp, "\n");
done:
    mb_plan_free(&plan);
    free(applied);
    return rc;
}

/* Add "database URL: ..." (password hidden) to err's detail. */
static void name_url(mb_error *err, const char *url)
{
    char shown[512], prior[sizeof err->detail];

    mb_url_redact(shown, sizeof shown, url);
    memcpy(prior, err->detail, sizeof prior);
    mb_error_detail(err, "%s%sdatabase URL: %s", prior, prior[0] ? "\n" : "",
                    shown);
}

/* An object that belongs to a table (named with it in a message). */
static int part_of_table(const mb_schema_obj *o)
{
    static const char *const kinds[] = {"column", "constraint", "index",
                                        "trigger", "foreign key", "unique"};
    size_t i;

    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(o->kind, kinds[i]) == 0)
            return 1;
    }
    return 0;
}

/* Refuse a database that holds anything but an empty schema public. */
static int check_empty(replay *r, const char *url, mb_error *err)
{
    mb_schema s = MB_SCHEMA_INIT;
    char detail[sizeof err->detail];
    size_t i, used = 0, found = 0, shown = 0;
    int rc, pass;

    if ((rc = mb_schema_snapshot(&s, r->be, r->conn, NULL, 0, err)) < 0)
        return rc;
    detail[0] = '\0';
    /* name the tables, views, ... first, their columns only if none */
    for (pass = 0; pass < 2 && shown == 0; pass++) {
        found = 0;
        for (i = 0; i < s.n; i++) {
            const mb_schema_obj *o = &s.objs[i];

            if (strcmp(o->kind, "schema") == 0 &&
                strcmp(o->name, "public") == 0)
                continue;
            found++;
            if ((pass == 0 && part_of_table(o)) || shown == 8)
                continue;
            used += (size_t)snprintf(detail + used, sizeof detail - used,
                                     "%s%s %s", used ? ", " : "", o->kind,
                                     o->name);
            shown++;
        }
    }
    mb_schema_free(&s);
    if (found == 0)
        return MB_OK;
    mb_error_set(err, MB_EUSAGE, "the stairway needs an empty database; "
                 "this one has %zu object%s", found, found == 1 ? "" : "s");
    mb_error_detail(err, "%s%s", detail, found > shown ? ", ..." : "");
    name_url(err, url);
    mb_error_hint(err, "give --db a new scratch database (createdb NAME): "
                  "the replay leaves it with the schema of the heads");
    return MB_EUSAGE;
}

/* Connect to the scratch database and make sure it is empty. */
static int open_scratch(replay *r, const char *url, mb_error *err)
{
    mb_connect_opts o;
    int rc;

    if ((rc = mb_backend_for_url(&r->be, url, err)) < 0) {
        name_url(err, url);
        return MB_EUSAGE;
    }
    if (r->be->dialect != MB_DIALECT_POSTGRESQL) {
        mb_error_set(err, MB_EUSAGE, "--db takes a PostgreSQL database");
        name_url(err, url);
        mb_error_hint(err, "leave --db out for SQLite: check always replays "
                      "on an in-memory SQLite database");
        return MB_EUSAGE;
    }
    o = connect_opts(r);
    if ((rc = r->be->connect(&r->conn, url, &o, err)) < 0) {
        if (rc == MB_ENOMEM)
            return rc;
        err->code = MB_EUSAGE;
        name_url(err, url);
        /* the backend's hint may name app-migrate's --wait */
        mb_error_hint(err, "--db needs a PostgreSQL server that accepts "
                      "connections, and a database on it for the replay");
        return MB_EUSAGE;
    }
    return check_empty(r, url, err);
}

int mb_stairway(const mb_project *p, int sqlite, const char *db,
                const char *prog, FILE *fp, mb_error *err)
{
    replay lite = {p, &mb_backend_sqlite, NULL, "sqlite", prog, fp};
    replay pg = {p, NULL, NULL, "postgresql", prog, fp};
    mb_connect_opts o;
    int rc = MB_OK;

    /* what can refuse comes first: nothing runs before it passed */
    if (db != NULL && (rc = open_scratch(&pg, db, err)) < 0)
        goto done;
    o = connect_opts(&lite);
    if (sqlite &&
        ((rc = lite.be->connect(&lite.conn, SQLITE_MEMORY, &o, err)) < 0 ||
         (rc = replay_all(&lite, err)) < 0))
        goto done;
    if (db != NULL)
        rc = replay_all(&pg, err);
done:
    lite.be->close(lite.conn);
    if (pg.be != NULL)
        pg.be->close(pg.conn);
    return rc;
}

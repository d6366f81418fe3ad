/*
 * check.c -- load a migrations directory and check it.
 *
 * Loading is scan (scan.c), read, parse (revfile.c), split the sections
 * that run on PostgreSQL (sqlsplit.c), parse them with PostgreSQL's own
 * parser (pgparse.c) and link (graph.c).
 * The parser is given the path as the user sees it (DIR/PATH) for its
 * messages; the graph only knows the relative path stored in each
 * revision, so its errors are rewritten to the same form here.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "mb/revision.h"
#include "mb/sqlsplit.h"
#include "pgparse.h"
#include "revfile.h"

/*
 * The graph names rev->path; show DIR/PATH like every other message.
 * Joined as mb_scan_join() joins, but in place: an error must read the
 * same however little memory is left.
 */
void mb_project_relocate_error(mb_error *err, const mb_project *p)
{
    char shown[sizeof err->file];
    const char *dir = p->scan.dir ? p->scan.dir : "";
    size_t i, len = strlen(dir);

    if (err == NULL || err->file[0] == '\0')
        return;
    for (i = 0; i < p->n_revs; i++) {
        if (strcmp(err->file, p->revs[i].path) != 0)
            continue;
        if (snprintf(shown, sizeof shown, "%s%s%s", dir,
                     len > 0 && dir[len - 1] != '/' ? "/" : "",
                     p->revs[i].path) < (int)sizeof shown)
            memcpy(err->file, shown, sizeof shown);
        break;
    }
}

/*
 * On PostgreSQL the runtime splits every section with its splitter (to run
 * a transaction:false section statement by statement, and to name the
 * failing statement of the others): split them now, so that an
 * unterminated quote, comment or parenthesis is a build error at its
 * FILE:LINE rather than a failure during a deployment. SQLite-only
 * sections are split by SQLite itself and skipped here.
 */
static int check_splits(const mb_revision *rev, const char *shown,
                        mb_error *err)
{
    unsigned i;
    int rc = MB_OK;

    for (i = 0; i < rev->n_sections && rc == MB_OK; i++) {
        const mb_section *sec = &rev->sections[i];
        mb_stmts st = MB_STMTS_INIT;

        if (sec->dialect == MB_DIALECT_SQLITE)
            continue;
        rc = mb_sql_split(&st, (const char *)rev->data + sec->offset,
                          sec->len, shown, sec->line + 1, err);
        mb_stmts_free(&st);
    }
    return rc;
}

/* No revision file at all: a wrong directory, most likely. */
static int no_revisions(const mb_project *p, mb_error *err)
{
    mb_error_set(err, MB_EIO, "no revision files in \"%s\"", p->scan.dir);
    mb_error_hint(err, "revision files are named *.sql and may be in "
                  "subdirectories; check that \"%s\" is the migrations "
                  "directory", p->scan.dir);
    return MB_EIO;
}

static int load(mb_project *out, const char *dir, unsigned flags,
                mb_error *err);

int mb_project_load(mb_project *out, const char *dir, mb_error *err)
{
    int rc = load(out, dir, 0, err);

    if (rc == MB_OK && out->n_revs == 0) {
        rc = no_revisions(out, err);
        mb_project_free(out);
    }
    return rc;
}

int mb_project_open(mb_project *out, const char *dir, mb_error *err)
{
    return load(out, dir, MB_REVFILE_DRAFT, err);
}

static int load(mb_project *out, const char *dir, unsigned flags,
                mb_error *err)
{
    mb_buf shown = MB_BUF_INIT, text = MB_BUF_INIT;
    size_t i, n;
    int rc;

    *out = (mb_project)MB_PROJECT_INIT;
    if ((rc = mb_scan_dir(&out->scan, dir, err)) < 0)
        goto done;
    n = out->scan.n_files;
    if (n > SIZE_MAX / sizeof *out->revs) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    out->revs = mb_arena_alloc(&out->arena, n * sizeof *out->revs);
    if (out->revs == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        const char *rel = out->scan.files[i];

        mb_buf_clear(&shown);
        if ((rc = mb_scan_join(&shown, out->scan.dir, rel, err)) < 0 ||
            (rc = mb_scan_read(&text, shown.ptr, err)) < 0 ||
            (rc = mb_revfile_parse_flags(&out->revs[i], &out->arena, rel,
                                         shown.ptr, text.ptr ? text.ptr : "",
                                         text.len, flags, err)) < 0 ||
            (rc = check_splits(&out->revs[i], shown.ptr, err)) < 0 ||
            (rc = mb_pgparse_revision(&out->revs[i], shown.ptr, err)) < 0)
            goto done;
        out->n_revs = i + 1;
    }
    if ((rc = mb_graph_build(&out->graph, out->revs, n, err)) < 0)
        mb_project_relocate_error(err, out);
done:
    mb_buf_free(&shown);
    mb_buf_free(&text);
    if (rc < 0)
        mb_project_free(out);
    return rc;
}

void mb_project_free(mb_project *p)
{
    mb_graph_free(&p->graph);
    mb_arena_free(&p->arena);
    mb_scan_free(&p->scan);
    p->revs = NULL;
    p->n_revs = 0;
}

/* Print "PROG: warning: DIR/PATH:LINE: " for rev, without a newline. */
static void warn_at(const mb_project *p, const mb_revision *rev,
                    unsigned line, const char *prog, FILE *fp)
{
    mb_buf shown = MB_BUF_INIT;

    if (mb_scan_join(&shown, p->scan.dir, rev->path, NULL) == MB_OK)
        fprintf(fp, "%s: warning: %s:%u: ", prog, shown.ptr, line);
    else
        fprintf(fp, "%s: warning: %s:%u: ", prog, rev->path, line);
    mb_buf_free(&shown);
}

static int has_down(const mb_revision *rev)
{
    unsigned i;

    for (i = 0; i < rev->n_sections; i++) {
        if (rev->sections[i].kind == MB_SECTION_DOWN)
            return 1;
    }
    return 0;
}

/* Warnings about one revision that cannot be rolled back everywhere. */
static size_t warn_irreversible(const mb_project *p, const mb_revision *rev,
                                const char *prog, FILE *fp)
{
    static const struct {
        int dialect;
        const char *name;
    } dialects[] = {
        {MB_DIALECT_POSTGRESQL, "PostgreSQL"},
        {MB_DIALECT_SQLITE, "SQLite"},
    };
    size_t i, n = 0;

    if (!has_down(rev)) {
        warn_at(p, rev, rev->id_line, prog, fp);
        fprintf(fp, "revision \"%s\" is irreversible: it has no "
                "\"-- migrate:down\" section\n", rev->id);
        return 1;
    }
    for (i = 0; i < sizeof dialects / sizeof dialects[0]; i++) {
        if (mb_revision_section(rev, MB_SECTION_DOWN, dialects[i].dialect) !=
            NULL)
            continue;
        warn_at(p, rev, rev->id_line, prog, fp);
        fprintf(fp, "revision \"%s\" is irreversible on %s: its "
                "\"-- migrate:down\" sections are for another dialect\n",
                rev->id, dialects[i].name);
        n++;
    }
    return n;
}

size_t mb_check_warnings(const mb_project *p, const char *prog, FILE *fp)
{
    const mb_graph *g = &p->graph;
    size_t i, n = 0;

    for (i = 0; i < p->n_revs; i++)
        n += warn_irreversible(p, &p->revs[i], prog, fp);
    if (g->n_heads > 1) {
        for (i = 0; i < g->n_heads; i++) {
            const mb_revision *rev = g->nodes[g->heads[i]].rev;

            warn_at(p, rev, rev->id_line, prog, fp);
            fprintf(fp, "revision \"%s\" is one of %zu heads\n", rev->id,
                    g->n_heads);
            n++;
        }
        fprintf(fp, "%s: hint: merge the heads with a revision that lists "
                "them all in \"Revises\", unless the branches are meant to "
                "stay apart\n", prog);
    }
    return n;
}

int mb_check_project(const mb_project *p, const char *prog, FILE *fp,
                     mb_error *err)
{
    int rc = MB_OK;

    mb_check_warnings(p, prog, fp);
    /* Checks that can fail go after the lint, each as
     * `if ((rc = check(p, err)) < 0) goto done;`; the replay of the
     * revisions is mb_stairway(), called after this. */
    (void)err;
    return rc;
}

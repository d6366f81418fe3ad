/*
 * cmd_sql.c -- `sql REV [--down] [--dialect D]`: the embedded SQL of one
 * revision, section by section, as it would run.
 *
 * The payload is inflated and checked against the revision's checksum
 * first (mb_payload_text, as apply.c does before it runs anything), so
 * what is printed is exactly what would run. Each section is preceded by
 * a comment line naming the revision, direction, dialect, transaction
 * mode and FILE:LINE of its marker, so the output is valid SQL. Without
 * --dialect, every section of the direction is printed; with it, the one
 * section that runs on that dialect. Never opens the database.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mb/json.h"
#include "mb/plan.h"
#include "mb/revision.h"

/* The one revision spec names. */
static int one_revision(mb_cli *cli, size_t *out, const char *spec,
                        mb_error *err)
{
    size_t *revs = NULL, n = 0;
    int rc;

    if ((rc = mb_plan_revisions(&revs, &n, &cli->graph, NULL, spec,
                                err)) < 0)
        return rc;
    if (n != 1) {
        free(revs);
        mb_error_set(err, MB_ETARGET, "\"%s\" names %zu revisions", spec,
                     n);
        mb_error_hint(err, "name one revision");
        return MB_ETARGET;
    }
    *out = revs[0];
    free(revs);
    return MB_OK;
}

/* The sections to print into v (at most MB_REVISION_MAX_SECTIONS). */
static unsigned pick_sections(const mb_section **v, const mb_revision *r,
                              int kind, int dialect)
{
    unsigned i, n = 0;

    if (dialect != MB_DIALECT_ANY) {
        v[0] = mb_revision_section(r, kind, dialect);
        return v[0] != NULL;
    }
    for (i = 0; i < r->n_sections && n < MB_REVISION_MAX_SECTIONS; i++)
        if (r->sections[i].kind == kind)
            v[n++] = &r->sections[i];
    return n;
}

static void print_text(const mb_revision *r, const char *dir,
                       const mb_section *s, const char *text)
{
    printf("-- %s %s (%s, transaction:%s) %s:%u\n", r->id, dir,
           cli_dialect_name(s->dialect), s->transaction ? "true" : "false",
           r->path, s->line);
    fwrite(text + s->offset, 1, s->len, stdout);
    if (s->len == 0 || text[s->offset + s->len - 1] != '\n')
        fputc('\n', stdout);
}

static void print_json(const mb_section *s, const char *text, int first)
{
    char *sql = malloc(s->len + 1);

    printf("%s\n  {\"dialect\": \"%s\", \"transaction\": %s, \"line\": %u, "
           "\"sql\": ", first ? "" : ",", cli_dialect_name(s->dialect),
           s->transaction ? "true" : "false", s->line);
    if (sql != NULL) {
        memcpy(sql, text + s->offset, s->len);
        sql[s->len] = '\0';
    }
    mb_json_str(stdout, sql ? sql : "(out of memory)");
    free(sql);
    fputc('}', stdout);
}

int cmd_sql(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    mb_buf text = MB_BUF_INIT;
    const mb_section *secs[MB_REVISION_MAX_SECTIONS];
    const mb_revision *r;
    const char *dir = cli->down ? "down" : "up";
    int kind = cli->down ? MB_SECTION_DOWN : MB_SECTION_UP;
    unsigned n, i;
    size_t v;
    int rc;

    if ((rc = cli_graph(cli, &err)) < 0 ||
        (rc = one_revision(cli, &v, cli->args[0], &err)) < 0)
        goto done;
    r = cli->graph.nodes[v].rev;
    n = pick_sections(secs, r, kind, cli->dialect);
    if (n == 0 && cli->down) {
        rc = mb_error_at(&err, MB_ETARGET, r->path, 0, "revision %s is "
                         "irreversible: it has no down section%s%s", r->id,
                         cli->dialect ? " for " : "",
                         cli->dialect ? cli_dialect_name(cli->dialect) : "");
        goto done;
    }
    if ((rc = mb_payload_text(&text, NULL, r, &err)) < 0)
        goto done;
    for (i = 0; i < n; i++)
        if (secs[i]->offset > text.len ||
            secs[i]->len > text.len - secs[i]->offset) {
            rc = mb_error_set(&err, MB_EINTEGRITY, "embedded revision %s "
                              "(%s) is corrupt: a section lies outside "
                              "its text", r->id, r->path);
            goto done;
        }
    if (cli->json) {
        fputc('{', stdout);
        mb_json_revision(stdout, r, cli->dialect);
        printf(", \"direction\": \"%s\", \"sections\": [", dir);
        for (i = 0; i < n; i++)
            print_json(secs[i], text.ptr, i == 0);
        printf("%s]}\n", n ? "\n" : "");
    } else {
        for (i = 0; i < n; i++)
            print_text(r, dir, secs[i], text.ptr);
    }
done:
    mb_buf_free(&text);
    return cli_fail(cli, rc, &err);
}

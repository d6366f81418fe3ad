/*
 * cmd_graph.c -- the commands that show the revision graph: history,
 * heads, branches, show. The text and JSON forms are mb/graphtext.h's
 * (Alembic 1.8's text), shared with migbundle's history, heads and
 * branches; this file adds what needs the database.
 *
 * None of these writes to the database. history opens it read-only only
 * for -i or a "current" end of its range; show only when a database URL
 * is known (to say whether the revision is applied).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mb/alloc.h"
#include "mb/graphtext.h"
#include "mb/json.h"
#include "mb/plan.h"
#include "mb/revision.h"
#include "mb/url.h"

static const mb_node *node_of(const mb_cli *cli, size_t v)
{
    return &cli->graph.nodes[v];
}

static int form_of(const mb_cli *cli)
{
    return cli->json ? MB_FORM_JSON : cli->verbose ? MB_FORM_VERBOSE
                                                   : MB_FORM_LINES;
}

/*
 * Read the applied set of the database read-only into *out (g->n flags,
 * free()); a database that does not match the bundle is a warning, as
 * for current.
 */
static int read_applied(mb_cli *cli, unsigned char **out, mb_error *err)
{
    mb_report rep = MB_REPORT_INIT;
    mb_versions vs = MB_VERSIONS_INIT;
    mb_session s;
    mb_ctx ctx;
    int rc;

    *out = mb_calloc(cli->graph.n + 1, 1);
    if (*out == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if ((rc = cli_open(cli, &s, err)) < 0)
        return rc;
    ctx = cli_context(cli, &s);
    rc = mb_read_state(&ctx, &vs, *out, &rep, err);
    if (rc == MB_OK && rep.count > 0) {
        fprintf(stderr, "%s: warning: the database does not match this "
                "bundle; run \"verify\"\n", cli->prog);
        cli_print_report(cli, &rep);
    }
    cli_close(&s);
    mb_versions_free(&vs);
    mb_report_free(&rep);
    return rc;
}

/* Flags of the applied heads of applied (NULL: none), into *out. */
static int current_marks(mb_cli *cli, unsigned char **out,
                         const unsigned char *applied, mb_error *err)
{
    size_t *heads = NULL, n = 0, i;
    int rc;

    *out = mb_calloc(cli->graph.n + 1, 1);
    if (*out == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if (applied == NULL)
        return MB_OK;
    if ((rc = mb_applied_heads(&heads, &n, &cli->graph, applied, err)) < 0)
        return rc;
    for (i = 0; i < n; i++)
        (*out)[heads[i]] = 1;
    free(heads);
    return MB_OK;
}

int cmd_history(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    unsigned char *applied = NULL, *cur = NULL;
    size_t *order = NULL, n = 0;
    mb_range range;
    int rc;

    if ((rc = mb_range_parse(&range, cli->rev_range, &err)) < 0 ||
        (rc = cli_graph(cli, &err)) < 0)
        goto done;
    if ((cli->indicate_current || mb_range_uses_current(&range)) &&
        (rc = read_applied(cli, &applied, &err)) < 0)
        goto done;
    if ((rc = mb_plan_range(&order, &n, &cli->graph, applied, range.lower,
                            range.upper, &err)) < 0 ||
        (rc = current_marks(cli, &cur, cli->indicate_current ? applied
                                                              : NULL,
                            &err)) < 0)
        goto done;
    mb_graph_text_history(&cli->gt, order, n,
                          cli->indicate_current ? cur : NULL, form_of(cli));
done:
    free(order);
    free(applied);
    free(cur);
    return cli_fail(cli, rc, &err);
}

int cmd_heads(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    int rc;

    if ((rc = cli_graph(cli, &err)) < 0)
        return cli_fail(cli, rc, &err);
    mb_graph_text_heads(&cli->gt, form_of(cli));
    return MB_EXIT_OK;
}

int cmd_branches(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    int rc;

    if ((rc = cli_graph(cli, &err)) < 0 ||
        (rc = mb_graph_text_branches(&cli->gt, form_of(cli), &err)) < 0)
        return cli_fail(cli, rc, &err);
    return MB_EXIT_OK;
}

/* show's own lines: sections, reversibility, whether applied. */
static void show_extra(const mb_revision *r, int applied)
{
    unsigned i;

    printf("Reversible: %s\n", mb_revision_reversible(r, MB_DIALECT_ANY)
                                   ? "yes" : "no");
    for (i = 0; i < r->n_sections; i++) {
        const mb_section *s = &r->sections[i];

        printf("Section: %s, dialect %s, %s, line %u\n",
               s->kind == MB_SECTION_UP ? "up" : "down",
               cli_dialect_name(s->dialect),
               s->transaction ? "transaction" : "transaction:false",
               s->line);
    }
    printf("Applied: %s\n", applied < 0 ? "unknown" : applied ? "yes"
                                                                : "no");
}

static void show_json(const mb_revision *r, int applied)
{
    unsigned i;

    fputs(", \"sections\": [", stdout);
    for (i = 0; i < r->n_sections; i++) {
        const mb_section *s = &r->sections[i];

        printf("%s{\"kind\": \"%s\", \"dialect\": \"%s\", \"transaction\": "
               "%s, \"line\": %u}", i ? ", " : "",
               s->kind == MB_SECTION_UP ? "up" : "down",
               cli_dialect_name(s->dialect), mb_json_bool(s->transaction),
               s->line);
    }
    printf("], \"applied\": %s",
           applied < 0 ? "null" : mb_json_bool(applied));
}

int cmd_show(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    unsigned char *applied = NULL;
    size_t *revs = NULL, n = 0, i;
    int rc;

    if ((rc = cli_graph(cli, &err)) < 0)
        goto done;
    if (cli->db != NULL && cli->db[0] != '\0' &&
        (rc = read_applied(cli, &applied, &err)) < 0)
        goto done;
    if ((rc = mb_plan_revisions(&revs, &n, &cli->graph, applied,
                                cli->args[0], &err)) < 0)
        goto done;
    if (cli->json)
        fputs("{\"revisions\": [", stdout);
    for (i = 0; i < n; i++) {
        const mb_revision *r = node_of(cli, revs[i])->rev;
        int a = applied ? applied[revs[i]] : -1;

        if (cli->json) {
            printf("%s\n  {", i ? "," : "");
            mb_graph_text_json(&cli->gt, revs[i], MB_DIALECT_ANY, -1);
            show_json(r, a);
            fputs("}", stdout);
            continue;
        }
        mb_graph_text_entry_head(&cli->gt, revs[i], 0);
        show_extra(r, a);
        mb_graph_text_entry_doc(&cli->gt, revs[i]);
    }
    if (cli->json)
        printf("%s]}\n", n ? "\n" : "");
done:
    free(revs);
    free(applied);
    return cli_fail(cli, rc, &err);
}

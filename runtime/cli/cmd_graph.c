/*
 * cmd_graph.c -- the commands that show the revision graph: history,
 * heads, branches, show, and the forms of one revision they share with
 * current.
 *
 * The text is Alembic 1.8's (alembic/command.py and Script.cmd_format,
 * _head_only and log_entry in alembic/script/base.py), with the bundle
 * path as "Path:" and the checksum after it. Where Alembic iterates a set
 * (the branches of a branch point), we give graph order instead.
 *
 * None of these writes to the database. history opens it read-only only
 * for -i or a "current" end of its range; show only when a database URL
 * is known (to say whether the revision is applied).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mb/alloc.h"
#include "mb/plan.h"
#include "mb/revision.h"
#include "mb/url.h"

static const mb_node *node_of(const mb_cli *cli, size_t v)
{
    return &cli->graph.nodes[v];
}

/* Nothing revises or depends on it (Alembic's _is_real_head). */
static int real_head(const mb_node *nd)
{
    return nd->n_children == 0 && nd->n_dependents == 0;
}

/* Print the items of v[0..n) joined by ", ". */
static void comma_list(const char *const *v, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++)
        printf("%s%s", i ? ", " : "", v[i]);
}

/* The revision's labels, its own and inherited, joined by ", ". */
static void label_list(const mb_cli *cli, size_t v)
{
    const mb_graph *g = &cli->graph;
    size_t l, k = 0;

    for (l = 0; l < g->n_labels; l++)
        if (cli->labels[l * g->n + v])
            printf("%s%s", k++ ? ", " : "", g->labels[l].label);
}

static int has_labels(const mb_cli *cli, size_t v)
{
    size_t l;

    for (l = 0; l < cli->graph.n_labels; l++)
        if (cli->labels[l * cli->graph.n + v])
            return 1;
    return 0;
}

/* _format_down_revision: "<base>" or the parents. */
static void down_revision(const mb_revision *r)
{
    if (r->n_revises == 0)
        fputs("<base>", stdout);
    comma_list(r->revises, r->n_revises);
}

void cli_rev_line(const mb_cli *cli, size_t v, unsigned show, int current)
{
    const mb_node *nd = node_of(cli, v);
    const mb_revision *r = nd->rev;

    if (show & CLI_SHOW_PARENTS) {
        down_revision(r);
        if (r->n_depends_on > 0) {
            fputs(" (", stdout);
            comma_list(r->depends_on, r->n_depends_on);
            fputc(')', stdout);
        }
        fputs(" -> ", stdout);
    }
    fputs(r->id, stdout);
    if ((show & CLI_SHOW_BRANCHES) && has_labels(cli, v)) {
        fputs(" (", stdout);
        label_list(cli, v);
        fputc(')', stdout);
    }
    if (real_head(nd))
        fputs(" (head)", stdout);
    else if (nd->n_children == 0)
        fputs(" (effective head)", stdout);
    if (current)
        fputs(" (current)", stdout);
    if ((show & CLI_SHOW_TREE) && nd->n_children > 1)
        fputs(" (branchpoint)", stdout);
    if ((show & CLI_SHOW_TREE) && nd->n_parents > 1)
        fputs(" (mergepoint)", stdout);
    if (show & CLI_SHOW_DOC)
        printf(", %s", r->message);
    fputc('\n', stdout);
}

/* log_entry up to "Path:", then our checksum. */
static void entry_head(const mb_cli *cli, size_t v, int current)
{
    const mb_node *nd = node_of(cli, v);
    const mb_revision *r = nd->rev;
    size_t i;

    printf("Rev: %s%s%s%s%s\n", r->id, nd->n_children == 0 ? " (head)" : "",
           nd->n_children > 1 ? " (branchpoint)" : "",
           nd->n_parents > 1 ? " (mergepoint)" : "",
           current ? " (current)" : "");
    fputs(nd->n_parents > 1 ? "Merges: " : "Parent: ", stdout);
    down_revision(r);
    fputc('\n', stdout);
    if (r->n_depends_on > 0) {
        fputs("Also depends on: ", stdout);
        comma_list(r->depends_on, r->n_depends_on);
        fputc('\n', stdout);
    }
    if (nd->n_children > 1) {
        fputs("Branches into: ", stdout);
        for (i = 0; i < nd->n_children; i++)
            printf("%s%s", i ? ", " : "",
                   node_of(cli, nd->children[i])->rev->id);
        fputc('\n', stdout);
    }
    if (has_labels(cli, v)) {
        fputs("Branch names: ", stdout);
        label_list(cli, v);
        fputc('\n', stdout);
    }
    printf("Path: %s\nChecksum: %s\n", r->path, r->checksum);
}

/* The rest of log_entry: the header as Alembic's template writes it,
 * indented; an empty line behind it. */
static void entry_doc(const mb_revision *r)
{
    printf("\n    %s\n    \n    Revision ID: %s\n    Revises: ", r->message,
           r->id);
    comma_list(r->revises, r->n_revises);
    printf("\n    Create Date: %s\n\n", r->create_date);
}

void cli_rev_entry(const mb_cli *cli, size_t v, int current)
{
    entry_head(cli, v, current);
    entry_doc(node_of(cli, v)->rev);
}

static const char *json_bool(int b)
{
    return b ? "true" : "false";
}

void cli_rev_json(const mb_cli *cli, size_t v, int dialect, int current)
{
    const mb_graph *g = &cli->graph;
    const mb_node *nd = node_of(cli, v);
    size_t i, k = 0;

    json_revision(stdout, nd->rev, dialect);
    fputs(", \"labels\": [", stdout);
    for (i = 0; i < g->n_labels; i++)
        if (cli->labels[i * g->n + v]) {
            fputs(k++ ? ", " : "", stdout);
            json_str(stdout, g->labels[i].label);
        }
    fputs("], \"children\": [", stdout);
    for (i = 0; i < nd->n_children; i++) {
        fputs(i ? ", " : "", stdout);
        json_str(stdout, node_of(cli, nd->children[i])->rev->id);
    }
    printf("], \"is_head\": %s, \"is_branch_point\": %s, "
           "\"is_merge_point\": %s, \"is_current\": %s",
           json_bool(nd->n_children == 0), json_bool(nd->n_children > 1),
           json_bool(nd->n_parents > 1),
           current < 0 ? "null" : json_bool(current));
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
    size_t *order = NULL, n = 0, i;
    char range[256] = "", *upper = NULL;
    int rc;

    if (cli->rev_range != NULL) {
        if (strlen(cli->rev_range) >= sizeof range) {
            rc = mb_error_set(&err, MB_EUSAGE, "invalid range: longer than "
                              "%zu characters", sizeof range - 1);
            goto done;
        }
        snprintf(range, sizeof range, "%s", cli->rev_range);
        upper = strchr(range, ':');
        *upper++ = '\0';
        if (strchr(upper, ':') != NULL) {
            rc = mb_error_set(&err, MB_EUSAGE, "invalid range \"%s\": give "
                              "START:END, START: or :END", cli->rev_range);
            goto done;
        }
    }
    if ((rc = cli_graph(cli, &err)) < 0)
        goto done;
    if ((cli->indicate_current || strcmp(range, "current") == 0 ||
         (upper != NULL && strcmp(upper, "current") == 0)) &&
        (rc = read_applied(cli, &applied, &err)) < 0)
        goto done;
    if ((rc = mb_plan_range(&order, &n, &cli->graph, applied, range, upper,
                            &err)) < 0 ||
        (rc = current_marks(cli, &cur, cli->indicate_current ? applied
                                                              : NULL,
                            &err)) < 0)
        goto done;
    if (cli->json)
        fputs("{\"revisions\": [", stdout);
    for (i = 0; i < n; i++) {
        size_t v = order[i];

        if (cli->json) {
            printf("%s\n  {", i ? "," : "");
            cli_rev_json(cli, v, MB_DIALECT_ANY,
                         cli->indicate_current ? cur[v] : -1);
            fputs("}", stdout);
        } else if (cli->verbose) {
            cli_rev_entry(cli, v, cur[v]);
        } else {
            cli_rev_line(cli, v, CLI_SHOW_BRANCHES | CLI_SHOW_DOC |
                         CLI_SHOW_PARENTS | CLI_SHOW_TREE, cur[v]);
        }
    }
    if (cli->json)
        printf("%s]}\n", n ? "\n" : "");
done:
    free(order);
    free(applied);
    free(cur);
    return cli_fail(cli, rc, &err);
}

int cmd_heads(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    size_t i;
    int rc;

    if ((rc = cli_graph(cli, &err)) < 0)
        return cli_fail(cli, rc, &err);
    if (cli->json)
        fputs("{\"heads\": [", stdout);
    for (i = 0; i < cli->graph.n_heads; i++) {
        size_t v = cli->graph.heads[i];

        if (cli->json) {
            printf("%s\n  {", i ? "," : "");
            cli_rev_json(cli, v, MB_DIALECT_ANY, -1);
            fputs("}", stdout);
        } else if (cli->verbose) {
            cli_rev_entry(cli, v, 0);
        } else {
            cli_rev_line(cli, v, CLI_SHOW_BRANCHES, 0);
        }
    }
    if (cli->json)
        printf("%s]}\n", cli->graph.n_heads ? "\n" : "");
    return MB_EXIT_OK;
}

int cmd_branches(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    size_t *order = NULL, n = 0, i, j, k = 0;
    int rc;

    if ((rc = cli_graph(cli, &err)) < 0 ||
        (rc = mb_plan_range(&order, &n, &cli->graph, NULL, NULL, NULL,
                            &err)) < 0)
        return cli_fail(cli, rc, &err);
    if (cli->json)
        fputs("{\"branch_points\": [", stdout);
    for (i = 0; i < n; i++) {
        const mb_node *nd = node_of(cli, order[i]);

        if (nd->n_children < 2)
            continue;
        if (cli->json) {
            printf("%s\n  {", k ? "," : "");
            cli_rev_json(cli, order[i], MB_DIALECT_ANY, -1);
            fputs("}", stdout);
            k++;
            continue;
        }
        if (cli->verbose) {
            cli_rev_entry(cli, order[i], 0);
        } else {
            cli_rev_line(cli, order[i], CLI_SHOW_BRANCHES | CLI_SHOW_TREE,
                         0);
        }
        for (j = 0; j < nd->n_children; j++) {
            printf("%*s -> ", (int)strlen(nd->rev->id), "");
            cli_rev_line(cli, nd->children[j], CLI_SHOW_BRANCHES |
                         CLI_SHOW_TREE | (cli->verbose ? CLI_SHOW_DOC : 0),
                         0);
        }
        fputc('\n', stdout);
    }
    if (cli->json)
        printf("%s]}\n", k ? "\n" : "");
    free(order);
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
               cli_dialect_name(s->dialect), json_bool(s->transaction),
               s->line);
    }
    printf("], \"applied\": %s",
           applied < 0 ? "null" : json_bool(applied));
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
            cli_rev_json(cli, revs[i], MB_DIALECT_ANY, -1);
            show_json(r, a);
            fputs("}", stdout);
            continue;
        }
        entry_head(cli, revs[i], 0);
        show_extra(r, a);
        entry_doc(r);
    }
    if (cli->json)
        printf("%s]}\n", n ? "\n" : "");
done:
    free(revs);
    free(applied);
    return cli_fail(cli, rc, &err);
}

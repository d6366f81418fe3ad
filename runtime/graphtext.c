/*
 * graphtext.c -- the revision graph as Alembic prints it, and as JSON
 * (see mb/graphtext.h).
 */
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/graphtext.h"
#include "mb/json.h"
#include "mb/plan.h"

static const mb_node *node_of(const mb_graph_text *t, size_t v)
{
    return &t->graph->nodes[v];
}

/* Nothing revises or depends on it (Alembic's _is_real_head). */
static int real_head(const mb_node *nd)
{
    return nd->n_children == 0 && nd->n_dependents == 0;
}

int mb_graph_text_init(mb_graph_text *t, const mb_graph *g, FILE *out,
                       mb_error *err)
{
    size_t l;
    int rc;

    t->graph = g;
    t->out = out;
    t->labels = mb_calloc(g->n_labels * g->n + 1, 1);
    if (t->labels == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    for (l = 0; l < g->n_labels; l++)
        if ((rc = mb_plan_label_members(t->labels + l * g->n, g, l,
                                        err)) < 0)
            return rc;
    return MB_OK;
}

void mb_graph_text_free(mb_graph_text *t)
{
    free(t->labels);
    t->labels = NULL;
}

/* Print the items of v[0..n) joined by ", ". */
static void comma_list(FILE *out, const char *const *v, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? ", " : "", v[i]);
}

/* The revision's labels, its own and inherited, joined by ", ". */
static void label_list(const mb_graph_text *t, size_t v)
{
    const mb_graph *g = t->graph;
    size_t l, k = 0;

    for (l = 0; l < g->n_labels; l++)
        if (t->labels[l * g->n + v])
            fprintf(t->out, "%s%s", k++ ? ", " : "", g->labels[l].label);
}

static int has_labels(const mb_graph_text *t, size_t v)
{
    size_t l;

    for (l = 0; l < t->graph->n_labels; l++)
        if (t->labels[l * t->graph->n + v])
            return 1;
    return 0;
}

/* _format_down_revision: "<base>" or the parents. */
static void down_revision(FILE *out, const mb_revision *r)
{
    if (r->n_revises == 0)
        fputs("<base>", out);
    comma_list(out, r->revises, r->n_revises);
}

void mb_graph_text_line(const mb_graph_text *t, size_t v, unsigned show,
                        int current)
{
    const mb_node *nd = node_of(t, v);
    const mb_revision *r = nd->rev;
    FILE *out = t->out;

    if (show & MB_SHOW_PARENTS) {
        down_revision(out, r);
        if (r->n_depends_on > 0) {
            fputs(" (", out);
            comma_list(out, r->depends_on, r->n_depends_on);
            fputc(')', out);
        }
        fputs(" -> ", out);
    }
    fputs(r->id, out);
    if ((show & MB_SHOW_BRANCHES) && has_labels(t, v)) {
        fputs(" (", out);
        label_list(t, v);
        fputc(')', out);
    }
    if (real_head(nd))
        fputs(" (head)", out);
    else if (nd->n_children == 0)
        fputs(" (effective head)", out);
    if (current)
        fputs(" (current)", out);
    if ((show & MB_SHOW_TREE) && nd->n_children > 1)
        fputs(" (branchpoint)", out);
    if ((show & MB_SHOW_TREE) && nd->n_parents > 1)
        fputs(" (mergepoint)", out);
    if (show & MB_SHOW_DOC)
        fprintf(out, ", %s", r->message);
    fputc('\n', out);
}

void mb_graph_text_entry_head(const mb_graph_text *t, size_t v, int current)
{
    const mb_node *nd = node_of(t, v);
    const mb_revision *r = nd->rev;
    FILE *out = t->out;
    size_t i;

    fprintf(out, "Rev: %s%s%s%s%s\n", r->id,
            nd->n_children == 0 ? " (head)" : "",
            nd->n_children > 1 ? " (branchpoint)" : "",
            nd->n_parents > 1 ? " (mergepoint)" : "",
            current ? " (current)" : "");
    fputs(nd->n_parents > 1 ? "Merges: " : "Parent: ", out);
    down_revision(out, r);
    fputc('\n', out);
    if (r->n_depends_on > 0) {
        fputs("Also depends on: ", out);
        comma_list(out, r->depends_on, r->n_depends_on);
        fputc('\n', out);
    }
    if (nd->n_children > 1) {
        fputs("Branches into: ", out);
        for (i = 0; i < nd->n_children; i++)
            fprintf(out, "%s%s", i ? ", " : "",
                    node_of(t, nd->children[i])->rev->id);
        fputc('\n', out);
    }
    if (has_labels(t, v)) {
        fputs("Branch names: ", out);
        label_list(t, v);
        fputc('\n', out);
    }
    fprintf(out, "Path: %s\nChecksum: %s\n", r->path, r->checksum);
}

void mb_graph_text_entry_doc(const mb_graph_text *t, size_t v)
{
    const mb_revision *r = node_of(t, v)->rev;

    fprintf(t->out, "\n    %s\n    \n    Revision ID: %s\n    Revises: ",
            r->message, r->id);
    comma_list(t->out, r->revises, r->n_revises);
    fprintf(t->out, "\n    Create Date: %s\n\n", r->create_date);
}

void mb_graph_text_entry(const mb_graph_text *t, size_t v, int current)
{
    mb_graph_text_entry_head(t, v, current);
    mb_graph_text_entry_doc(t, v);
}

void mb_graph_text_json(const mb_graph_text *t, size_t v, int dialect,
                        int current)
{
    const mb_graph *g = t->graph;
    const mb_node *nd = node_of(t, v);
    FILE *out = t->out;
    size_t i, k = 0;

    mb_json_revision(out, nd->rev, dialect);
    fputs(", \"labels\": [", out);
    for (i = 0; i < g->n_labels; i++)
        if (t->labels[i * g->n + v]) {
            fputs(k++ ? ", " : "", out);
            mb_json_str(out, g->labels[i].label);
        }
    fputs("], \"children\": [", out);
    for (i = 0; i < nd->n_children; i++) {
        fputs(i ? ", " : "", out);
        mb_json_str(out, node_of(t, nd->children[i])->rev->id);
    }
    fprintf(out, "], \"is_head\": %s, \"is_branch_point\": %s, "
            "\"is_merge_point\": %s, \"is_current\": %s",
            mb_json_bool(nd->n_children == 0),
            mb_json_bool(nd->n_children > 1),
            mb_json_bool(nd->n_parents > 1),
            current < 0 ? "null" : mb_json_bool(current));
}

/* One member of a JSON array of revisions; i: its index. */
static void json_item(const mb_graph_text *t, size_t i, size_t v,
                      int current)
{
    fprintf(t->out, "%s\n  {", i ? "," : "");
    mb_graph_text_json(t, v, MB_DIALECT_ANY, current);
    fputc('}', t->out);
}

void mb_graph_text_history(const mb_graph_text *t, const size_t *order,
                           size_t n, const unsigned char *cur, int form)
{
    size_t i;

    if (form == MB_FORM_JSON)
        fputs("{\"revisions\": [", t->out);
    for (i = 0; i < n; i++) {
        size_t v = order[i];
        int c = cur ? cur[v] : 0;

        if (form == MB_FORM_JSON)
            json_item(t, i, v, cur ? c : -1);
        else if (form == MB_FORM_VERBOSE)
            mb_graph_text_entry(t, v, c);
        else
            mb_graph_text_line(t, v, MB_SHOW_BRANCHES | MB_SHOW_DOC |
                               MB_SHOW_PARENTS | MB_SHOW_TREE, c);
    }
    if (form == MB_FORM_JSON)
        fprintf(t->out, "%s]}\n", n ? "\n" : "");
}

void mb_graph_text_heads(const mb_graph_text *t, int form)
{
    const mb_graph *g = t->graph;
    size_t i;

    if (form == MB_FORM_JSON)
        fputs("{\"heads\": [", t->out);
    for (i = 0; i < g->n_heads; i++) {
        if (form == MB_FORM_JSON)
            json_item(t, i, g->heads[i], -1);
        else if (form == MB_FORM_VERBOSE)
            mb_graph_text_entry(t, g->heads[i], 0);
        else
            mb_graph_text_line(t, g->heads[i], MB_SHOW_BRANCHES, 0);
    }
    if (form == MB_FORM_JSON)
        fprintf(t->out, "%s]}\n", g->n_heads ? "\n" : "");
}

int mb_graph_text_branches(const mb_graph_text *t, int form, mb_error *err)
{
    size_t *order = NULL, n = 0, i, j, k = 0;
    int rc;

    if ((rc = mb_plan_range(&order, &n, t->graph, NULL, NULL, NULL,
                            err)) < 0)
        return rc;
    if (form == MB_FORM_JSON)
        fputs("{\"branch_points\": [", t->out);
    for (i = 0; i < n; i++) {
        const mb_node *nd = node_of(t, order[i]);

        if (nd->n_children < 2)
            continue;
        if (form == MB_FORM_JSON) {
            json_item(t, k++, order[i], -1);
            continue;
        }
        if (form == MB_FORM_VERBOSE)
            mb_graph_text_entry(t, order[i], 0);
        else
            mb_graph_text_line(t, order[i], MB_SHOW_BRANCHES | MB_SHOW_TREE,
                               0);
        for (j = 0; j < nd->n_children; j++) {
            fprintf(t->out, "%*s -> ", (int)strlen(nd->rev->id), "");
            mb_graph_text_line(t, nd->children[j], MB_SHOW_BRANCHES |
                               MB_SHOW_TREE | (form == MB_FORM_VERBOSE
                                               ? MB_SHOW_DOC : 0), 0);
        }
        fputc('\n', t->out);
    }
    if (form == MB_FORM_JSON)
        fprintf(t->out, "%s]}\n", k ? "\n" : "");
    free(order);
    return MB_OK;
}

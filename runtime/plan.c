/*
 * plan.c -- resolve targets and compute plans (see mb/plan.h).
 *
 * The version table holds one row per applied revision, so the state is a
 * set closed under ancestry. Upgrading to T adds ancestors(T); downgrading
 * to T removes the applied descendants of T that are not ancestors of T.
 * Both are computed with mark arrays over the graph and emitted in
 * topological (up) or reverse topological (down) order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/plan.h"
#include "mb/revfile.h"

void mb_target_free(mb_target *t)
{
    free(t->nodes);
    t->nodes = NULL;
    t->n = 0;
    t->base = 0;
}

void mb_plan_free(mb_plan *p)
{
    free(p->steps);
    p->steps = NULL;
    p->n = 0;
}

int mb_applied_heads(size_t **out, size_t *n, const mb_graph *g,
                     const unsigned char *applied, mb_error *err)
{
    size_t i, j, k = 0;
    size_t *heads = mb_malloc((g->n ? g->n : 1) * sizeof *heads);

    if (heads == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    for (i = 0; i < g->n; i++) {
        size_t v = g->order[i];
        const mb_node *nd = &g->nodes[v];
        int reached = 0;

        if (!applied[v])
            continue;
        for (j = 0; j < nd->n_children && !reached; j++)
            reached = applied[nd->children[j]];
        for (j = 0; j < nd->n_dependents && !reached; j++)
            reached = applied[nd->dependents[j]];
        if (!reached)
            heads[k++] = v;
    }
    *out = heads;
    *n = k;
    return MB_OK;
}

/* Comma-separated ids of nodes[0..n), at most 8, into buf. */
static void id_list(char *buf, size_t size, const mb_graph *g,
                    const size_t *nodes, size_t n)
{
    size_t i;

    buf[0] = '\0';
    for (i = 0; i < n && i < 8; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                 g->nodes[nodes[i]].rev->id);
    }
    if (n > 8) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, ", ...");
    }
}

static int set_single(mb_target *out, size_t node, mb_error *err)
{
    out->nodes = mb_malloc(sizeof *out->nodes);
    if (out->nodes == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    out->nodes[0] = node;
    out->n = 1;
    return MB_OK;
}

/* Parse the N of "+N" / "-N": 1..1000000. */
static int parse_steps(long *out, const char *spec, mb_error *err)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(spec + 1, &end, 10);
    if (errno != 0 || *end != '\0' || end == spec + 1 || v < 1 ||
        v > 1000000 || spec[1] < '0' || spec[1] > '9') {
        mb_error_set(err, MB_ETARGET, "invalid relative target \"%s\"", spec);
        mb_error_hint(err, "write +N or -N with N a positive number");
        return MB_ETARGET;
    }
    *out = v;
    return MB_OK;
}

/*
 * Walk `steps` steps from the single applied head: up through children,
 * down through parents. Refuses at branch points, at merges, with several
 * applied heads, and past either end.
 */
static int walk_relative(mb_target *out, const mb_graph *g,
                         const unsigned char *applied, const char *spec,
                         long steps, int direction, mb_error *err)
{
    size_t *heads = NULL, nheads = 0, cur = MB_NONE;
    char list[512];
    long k;
    int rc;

    if ((rc = mb_applied_heads(&heads, &nheads, g, applied, err)) < 0)
        return rc;
    if (nheads > 1) {
        id_list(list, sizeof list, g, heads, nheads);
        rc = mb_error_set(err, MB_ETARGET,
                          "\"%s\" is ambiguous: the database has %zu applied "
                          "heads", spec, nheads);
        mb_error_detail(err, "applied heads: %s", list);
        mb_error_hint(err, "name the revision to move to instead");
        goto done;
    }
    if (nheads == 1)
        cur = heads[0];
    if (direction == MB_DOWN && cur == MB_NONE) {
        rc = mb_error_set(err, MB_ETARGET, "cannot go down %ld from base: "
                          "nothing is applied", steps);
        goto done;
    }
    for (k = 0; k < steps; k++) {
        const size_t *next;
        size_t nnext;

        if (direction == MB_UP) {
            next = cur == MB_NONE ? g->bases : g->nodes[cur].children;
            nnext = cur == MB_NONE ? g->n_bases : g->nodes[cur].n_children;
        } else {
            next = g->nodes[cur].parents;
            nnext = g->nodes[cur].n_parents;
            if (nnext == 0) {
                if (k + 1 == steps) { /* stepping exactly off a base */
                    out->base = 1;
                    goto done;
                }
                rc = mb_error_set(err, MB_ETARGET, "\"%s\" goes below base: "
                                  "only %ld step%s down %s available", spec,
                                  k + 1, k ? "s" : "", k ? "are" : "is");
                goto done;
            }
        }
        if (nnext == 0) {
            rc = mb_error_set(err, MB_ETARGET, "\"%s\" goes beyond the head:"
                              " only %ld step%s up %s available", spec, k,
                              k == 1 ? "" : "s", k == 1 ? "is" : "are");
            mb_error_hint(err, "use \"heads\" to apply everything");
            goto done;
        }
        if (nnext > 1 && direction == MB_DOWN && k + 1 == steps) {
            /* the last step undoes a merge: its parents remain */
            out->nodes = mb_malloc(nnext * sizeof *out->nodes);
            if (out->nodes == NULL) {
                rc = mb_error_set(err, MB_ENOMEM, "out of memory");
                goto done;
            }
            memcpy(out->nodes, next, nnext * sizeof *out->nodes);
            out->n = nnext;
            goto done;
        }
        if (nnext > 1) {
            id_list(list, sizeof list, g, next, nnext);
            if (cur == MB_NONE)
                rc = mb_error_set(err, MB_ETARGET, "\"%s\" is ambiguous: "
                                  "the graph has %zu bases", spec, nnext);
            else
                rc = mb_error_set(err, MB_ETARGET, "\"%s\" is ambiguous at "
                                  "revision %s: it %s %zu %s", spec,
                                  g->nodes[cur].rev->id,
                                  direction == MB_UP ? "branches into"
                                                     : "merges",
                                  nnext, direction == MB_UP ? "children"
                                                            : "parents");
            mb_error_detail(err, "candidates: %s", list);
            mb_error_hint(err, "name the revision to move to instead");
            goto done;
        }
        cur = next[0];
    }
    rc = set_single(out, cur, err);
done:
    free(heads);
    return rc;
}

int mb_target_resolve(mb_target *out, const mb_graph *g,
                      const unsigned char *applied, const char *spec,
                      int direction, mb_error *err)
{
    char list[512];
    size_t node;
    long steps;
    int rc;

    memset(out, 0, sizeof *out);
    if (strcmp(spec, "base") == 0) {
        out->base = 1;
        return MB_OK;
    }
    if (strcmp(spec, "heads") == 0) {
        out->nodes = mb_malloc((g->n_heads ? g->n_heads : 1) *
                            sizeof *out->nodes);
        if (out->nodes == NULL)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        memcpy(out->nodes, g->heads, g->n_heads * sizeof *out->nodes);
        out->n = g->n_heads;
        return MB_OK;
    }
    if (strcmp(spec, "head") == 0) {
        if (g->n_heads == 1)
            return set_single(out, g->heads[0], err);
        id_list(list, sizeof list, g, g->heads, g->n_heads);
        mb_error_set(err, MB_ETARGET, "\"head\" is ambiguous: the revision "
                     "graph has %zu heads", g->n_heads);
        mb_error_detail(err, "heads: %s", list);
        mb_error_hint(err, "use \"heads\" for all of them, or name one");
        return MB_ETARGET;
    }
    if (spec[0] == '+' || spec[0] == '-') {
        if ((rc = parse_steps(&steps, spec, err)) < 0)
            return rc;
        if ((spec[0] == '+') != (direction == MB_UP)) {
            mb_error_set(err, MB_ETARGET, "\"%s\" cannot be used with %s",
                         spec, direction == MB_UP ? "up" : "down");
            mb_error_hint(err, "+N moves up (up +1), -N moves down "
                          "(down -1)");
            return MB_ETARGET;
        }
        return walk_relative(out, g, applied, spec, steps, direction, err);
    }
    if ((rc = mb_graph_lookup(&node, g, spec, err)) < 0)
        return rc;
    if (direction == MB_DOWN && !applied[node]) {
        mb_error_set(err, MB_ETARGET, "revision %s is not applied",
                     g->nodes[node].rev->id);
        mb_error_hint(err, "down moves to an applied revision; \"current\" "
                      "shows them");
        return MB_ETARGET;
    }
    return set_single(out, node, err);
}

int mb_plan_make(mb_plan *out, const mb_graph *g,
                 const unsigned char *applied, const mb_target *t,
                 int direction, int dialect, mb_error *err)
{
    unsigned char *keep = NULL, *mark = NULL;
    size_t i;
    int rc = MB_OK;

    memset(out, 0, sizeof *out);
    out->direction = direction;
    keep = mb_calloc(g->n ? g->n : 1, 1);
    mark = mb_calloc(g->n ? g->n : 1, 1);
    out->steps = mb_malloc((g->n ? g->n : 1) * sizeof *out->steps);
    if (keep == NULL || mark == NULL || out->steps == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < t->n; i++) {
        if ((rc = mb_graph_mark_ancestors(g, t->nodes[i], keep, err)) < 0)
            goto done;
        if (direction == MB_DOWN &&
            (rc = mb_graph_mark_descendants(g, t->nodes[i], mark, err)) < 0)
            goto done;
    }
    if (direction == MB_UP) {
        for (i = 0; i < g->n; i++) {
            size_t v = g->order[i];
            if (keep[v] && !applied[v])
                out->steps[out->n++] = v;
        }
        goto done;
    }
    for (i = g->n; i-- > 0;) {
        size_t v = g->order[i];
        const mb_revision *r = g->nodes[v].rev;

        if (!applied[v] || keep[v] || (!t->base && !mark[v]))
            continue;
        if (!mb_revision_reversible(r, dialect)) {
            rc = mb_error_at(err, MB_ETARGET, r->path, 0,
                             "revision %s is irreversible: it has no down "
                             "section", r->id);
            mb_error_detail(err, "rolling back to the target would run the "
                            "down section of %s (%s)", r->id, r->message);
            mb_error_hint(err, "choose a target above %s, or restore the "
                          "database from a backup", r->id);
            goto done;
        }
        out->steps[out->n++] = v;
    }
done:
    free(keep);
    free(mark);
    if (rc < 0)
        mb_plan_free(out);
    return rc;
}

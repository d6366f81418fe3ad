/*
 * plan.c -- targets and plans with Alembic 1.8's semantics (mb/plan.h).
 *
 * This follows alembic/script/revision.py (RevisionMap) and the stamp
 * logic of alembic/script/base.py and alembic/runtime/migration.py, rule
 * for rule, on our graph (docs/graph.md states the rules in prose):
 *
 *  - names: an exact id, an exact branch label, else a prefix of the ids
 *    and labels longer than three characters that names exactly one
 *    (_revision_for_ident); "LABEL@X" also requires X to share the
 *    label's lineage (to be its ancestor or descendant through Revises);
 *  - heads: "heads" are the revisions nothing revises or depends on;
 *    "head" and "LABEL@heads" use the revisions nothing revises;
 *  - relative steps (_walk) move along Revises one step at a time and
 *    refuse at a branch or merge; stepping exactly off a base is "base";
 *  - up (_collect_upgrade_revisions): what the targets need and the
 *    database lacks; down (_collect_downgrade_revisions): the applied
 *    descendants of the target's children (through Revises for the
 *    children, then through both edges);
 *  - order (_topological_sort): a walk down from the heads in load order
 *    that finishes one line before it enters a revision another head
 *    still needs; up runs it reversed. Our load order is the graph's node
 *    order (sorted path order).
 *
 * Where Alembic guesses (a warning, then the first row of its version
 * table), this refuses instead. Every walk is bounded by the node count.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/plan.h"
#include "mb/revision.h"

/* A "revision" a resolution gives: a node, base, or nothing (None). */
#define R_BASE ((size_t)-2)
#define R_NONE MB_NONE

/* A list of nodes with room for every node of the graph. */
typedef struct nlist {
    size_t *v;
    size_t n;
} nlist;

typedef struct planner {
    const mb_graph *g;
    const unsigned char *applied;
    size_t *heads;   /* applied heads, graph order */
    size_t n_heads;
    unsigned char *m1, *m2; /* scratch marks, g->n each */
    int overwalk;    /* a relative walk stops at the end of the graph
                      * (assert_relative_length=False) */
    mb_error *err;
} planner;

static int oom(mb_error *err)
{
    return mb_error_set(err, MB_ENOMEM, "out of memory");
}

static int nlist_init(nlist *l, const mb_graph *g, mb_error *err)
{
    l->n = 0;
    l->v = mb_malloc((g->n + 1) * sizeof *l->v);
    return l->v ? MB_OK : oom(err);
}

static int nlist_has(const nlist *l, size_t v)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (l->v[i] == v)
            return 1;
    return 0;
}

static void nlist_add_unique(nlist *l, size_t v)
{
    if (!nlist_has(l, v))
        l->v[l->n++] = v;
}

static const char *id_of(const planner *p, size_t v)
{
    return p->g->nodes[v].rev->id;
}

/* Comma-separated ids of v[0..n), at most 8, into buf. */
static void id_list(char *buf, size_t size, const planner *p,
                    const size_t *v, size_t n)
{
    size_t i, used;

    buf[0] = '\0';
    for (i = 0; i < n && i < 8; i++) {
        used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                 v[i] == R_BASE ? "base" : id_of(p, v[i]));
    }
    if (n > 8) {
        used = strlen(buf);
        snprintf(buf + used, size - used, ", ...");
    }
}

static int target_error(planner *p, const char *hint, const char *fmt, ...)
    MB_PRINTF(3, 4);

static int target_error(planner *p, const char *hint, const char *fmt, ...)
{
    char msg[sizeof p->err->msg];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mb_error_set(p->err, MB_ETARGET, "%s", msg);
    if (hint != NULL)
        mb_error_hint(p->err, "%s", hint);
    return MB_ETARGET;
}

/* ---- names ------------------------------------------------------------ */

static size_t find_label(const mb_graph *g, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < g->n_labels; i++)
        if (strlen(g->labels[i].label) == len &&
            strncmp(g->labels[i].label, s, len) == 0)
            return g->labels[i].node;
    return MB_NONE;
}

/* The node of an exact id or branch label s[0..len), or MB_NONE. */
static size_t find_key(const mb_graph *g, const char *s, size_t len)
{
    char id[MB_ID_MAX + 1];

    if (len == 0 || len > MB_ID_MAX)
        return MB_NONE;
    memcpy(id, s, len);
    id[len] = '\0';
    if (mb_graph_find(g, id) != MB_NONE)
        return mb_graph_find(g, id);
    return find_label(g, s, len);
}

/* Mark in p->m2 the lineage of node: itself, its ancestors and
 * descendants, through Revises (and Depends On when deps). */
static int mark_lineage(planner *p, size_t node, int deps)
{
    memset(p->m2, 0, p->g->n);
    if (mb_graph_mark(p->g, node, deps ? MB_EDGE_DOWN : MB_EDGE_PARENTS,
                      p->m2, p->err) < 0)
        return MB_ENOMEM;
    p->m2[node] = 0; /* walk the other way from node too */
    if (mb_graph_mark(p->g, node, deps ? MB_EDGE_UP : MB_EDGE_CHILDREN,
                      p->m2, p->err) < 0)
        return MB_ENOMEM;
    return MB_OK;
}

static int ident(planner *p, size_t *out, const char *s, size_t len,
                 const char *label);

/* _resolve_branch: a label, else any name of a revision. */
static int resolve_branch(planner *p, size_t *out, const char *label)
{
    size_t v = find_key(p->g, label, strlen(label));

    if (v != MB_NONE) {
        *out = v;
        return MB_OK;
    }
    if (ident(p, out, label, strlen(label), NULL) == MB_OK)
        return MB_OK;
    if (p->err->code == MB_ENOMEM)
        return MB_ENOMEM;
    return target_error(p, "\"heads\" and \"branches\" list the labels",
                        "no such branch \"%s\"", label);
}

/*
 * _revision_for_ident: s[0..len) as an exact id or label, else as the
 * prefix of exactly one id or label longer than three characters; with
 * label, the revision must share the label's lineage.
 */
static int ident(planner *p, size_t *out, const char *s, size_t len,
                 const char *label)
{
    const mb_graph *g = p->g;
    size_t branch = MB_NONE, v, i, count = 0;
    size_t cand[8];
    int rc;

    if (label != NULL && (rc = resolve_branch(p, &branch, label)) < 0)
        return rc;
    if (branch != MB_NONE && (rc = mark_lineage(p, branch, 0)) < 0)
        return rc;
    v = find_key(g, s, len);
    if (v == MB_NONE) {
        /* ids, then labels, that start with s and are longer than 3 */
        for (i = 0; i < g->n + g->n_labels; i++) {
            const char *key = i < g->n ? g->nodes[i].rev->id
                                       : g->labels[i - g->n].label;
            size_t node = i < g->n ? i : g->labels[i - g->n].node;

            if (strlen(key) <= 3 || strncmp(key, s, len) != 0 ||
                (branch != MB_NONE && !p->m2[node]))
                continue;
            if (count < 8)
                cand[count] = node;
            count++;
        }
        if (count == 0 || len == 0)
            return target_error(p, len < 4 ? "give at least four characters"
                                " of a revision id, or a whole id or label"
                                : "\"history\" lists the revisions; "
                                "\"branches\" the labels",
                                "no such revision or branch \"%.*s\"",
                                (int)len, s);
        if (count > 1) {
            char list[512];

            id_list(list, sizeof list, p, cand, count < 8 ? count : 8);
            return target_error(p, "give more characters of the revision "
                                "id", "revision prefix \"%.*s\" is "
                                "ambiguous: it matches %s%s", (int)len, s,
                                list, count > 8 ? ", ..." : "");
        }
        v = cand[0];
    }
    if (branch != MB_NONE && !p->m2[v])
        return target_error(p, "a revision of a branch is one its label's "
                            "revision revises or is revised by",
                            "revision %s is not a member of branch \"%s\"",
                            id_of(p, v), label);
    *out = v;
    return MB_OK;
}

/* Keep in l only the nodes that share the lineage of one of against[]. */
static int filter_lineage(planner *p, nlist *l, const size_t *against,
                          size_t n_against, int deps)
{
    unsigned char *keep;
    size_t i, k = 0;
    int rc;

    if (n_against == 0)
        return MB_OK; /* nothing to test against: everything shares */
    if ((keep = mb_calloc(p->g->n, 1)) == NULL)
        return oom(p->err);
    for (i = 0; i < n_against; i++) {
        size_t j;

        if ((rc = mark_lineage(p, against[i], deps)) < 0) {
            free(keep);
            return rc;
        }
        for (j = 0; j < p->g->n; j++)
            keep[j] |= p->m2[j];
    }
    for (i = 0; i < l->n; i++)
        if (l->v[i] < p->g->n && keep[l->v[i]])
            l->v[k++] = l->v[i];
    l->n = k;
    free(keep);
    return MB_OK;
}

/* The graph's heads: nothing revises them (versioned) or also nothing
 * depends on them (real), in graph order. */
static void graph_heads(const planner *p, nlist *out, int real)
{
    size_t i;

    out->n = 0;
    for (i = 0; i < p->g->n; i++)
        if (p->g->nodes[i].n_children == 0 &&
            (!real || p->g->nodes[i].n_dependents == 0))
            out->v[out->n++] = i;
}

static int resolve_number(planner *p, nlist *ids, const char *spec,
                          const char **label_out, char *label_buf,
                          size_t label_size);

/* Split "LABEL@rest" at the first '@'; label NULL when there is none. */
static const char *split_label(const char *spec, char *buf, size_t size,
                               const char **label)
{
    const char *at = strchr(spec, '@');

    *label = NULL;
    if (at == NULL)
        return spec;
    snprintf(buf, size, "%.*s", (int)(at - spec), spec);
    *label = buf;
    return at + 1;
}

/* filter_for_lineage(l, check): keep what shares check's lineage. */
static int filter_for(planner *p, nlist *l, const char *check, int deps)
{
    char lbuf[MB_ID_MAX + 8];
    const char *label;
    nlist ids, against;
    size_t i, v;
    int rc;

    if (l->n == 0) {
        /* nothing to filter: only "head" is resolved (and may fail) */
        const char *id = strchr(check, '@') ? strchr(check, '@') + 1 : check;

        if (strcmp(id, "head") != 0)
            return MB_OK;
    }
    if ((rc = nlist_init(&ids, p->g, p->err)) < 0)
        return rc;
    if ((rc = nlist_init(&against, p->g, p->err)) < 0) {
        free(ids.v);
        return rc;
    }
    if ((rc = resolve_number(p, &ids, check, &label, lbuf, sizeof lbuf)) < 0)
        goto done;
    if (label != NULL) {
        if ((rc = ident(p, &v, label, strlen(label), NULL)) < 0)
            goto done;
        against.v[against.n++] = v;
    }
    for (i = 0; i < ids.n; i++)
        against.v[against.n++] = ids.v[i];
    rc = filter_lineage(p, l, against.v, against.n, deps);
done:
    free(ids.v);
    free(against.v);
    return rc;
}

/*
 * _resolve_revision_number: "heads" (real heads; with a label, the
 * versioned heads of its lineage), "head" (the one versioned head, of the
 * label's lineage), "base" (none), else one name resolved with the label.
 */
static int resolve_number(planner *p, nlist *ids, const char *spec,
                          const char **label_out, char *label_buf,
                          size_t label_size)
{
    const char *label, *id = split_label(spec, label_buf, label_size, &label);
    int rc;

    *label_out = label;
    ids->n = 0;
    if (strcmp(id, "heads") == 0) {
        graph_heads(p, ids, label == NULL);
        return label ? filter_for(p, ids, label, 0) : MB_OK;
    }
    if (strcmp(id, "head") == 0) {
        char list[512];

        graph_heads(p, ids, 0);
        if (label != NULL && (rc = filter_for(p, ids, label, 0)) < 0)
            return rc;
        if (ids->n <= 1)
            return MB_OK;
        id_list(list, sizeof list, p, ids->v, ids->n);
        rc = target_error(p, "use \"heads\" for all of them, LABEL@head for "
                          "one branch, or name a revision",
                          "\"%s\" is ambiguous: there are %zu heads (%s)",
                          spec, ids->n, list);
        return rc;
    }
    if (strcmp(id, "base") == 0)
        return MB_OK;
    {
        size_t v;

        if ((rc = ident(p, &v, id, strlen(id), label)) < 0)
            return rc;
        ids->v[ids->n++] = v;
    }
    return MB_OK;
}

/* ---- relative steps ---------------------------------------------------- */

/*
 * _walk: steps (> 0 up, < 0 down) from start (a node, R_NONE for the
 * bottom of the graph, R_BASE), one revision at a time. *out is R_NONE
 * when the walk runs off the graph; more than one way is an error.
 */
static int walk(planner *p, size_t *out, size_t start, long steps,
                const char *label, const char *spec)
{
    const mb_graph *g = p->g;
    size_t cur = start;
    nlist next;
    long k;
    int rc = MB_OK;

    if ((rc = nlist_init(&next, g, p->err)) < 0)
        return rc;
    for (k = 0; k < (steps < 0 ? -steps : steps); k++) {
        size_t i;

        next.n = 0;
        if (steps > 0) {
            if (cur == R_BASE)
                cur = R_NONE;
            if (cur == R_NONE) {
                for (i = 0; i < g->n; i++)
                    if (g->nodes[i].n_parents == 0)
                        next.v[next.n++] = i;
            } else {
                for (i = 0; i < g->nodes[cur].n_children; i++)
                    next.v[next.n++] = g->nodes[cur].children[i];
            }
            if (label != NULL && (rc = filter_for(p, &next, label, 0)) < 0)
                goto done;
        } else if (cur != R_BASE) {
            if (cur == R_NONE) {
                graph_heads(p, &next, 0);
            } else {
                for (i = 0; i < g->nodes[cur].n_parents; i++)
                    next.v[next.n++] = g->nodes[cur].parents[i];
            }
            if (next.n == 0)
                next.v[next.n++] = R_BASE;
        }
        if (next.n == 0) {
            if (!p->overwalk)
                cur = R_NONE;
            goto done;
        }
        if (next.n > 1) {
            char list[512];

            id_list(list, sizeof list, p, next.v, next.n);
            rc = target_error(p, "name the revision to move to instead",
                              "\"%s\" is ambiguous: %s %s leads to %s",
                              spec, steps > 0 ? "going up from" :
                              "going down from", cur == R_NONE ? "base"
                              : id_of(p, cur), list);
            goto done;
        }
        cur = next.v[0];
    }
done:
    free(next.v);
    *out = cur;
    return rc;
}

/* A relative target: [LABEL@][SYMBOL](+|-)DIGITS. 0 when spec is not. */
typedef struct relative {
    char label[MB_ID_MAX + 8];
    char symbol[MB_ID_MAX + 8];
    int has_label, has_symbol;
    long n; /* signed */
} relative;

static int parse_relative(relative *r, const char *spec)
{
    const char *at = strchr(spec, '@'), *s = at ? at + 1 : spec;
    size_t sym = strspn(s, "abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    const char *num = s + sym;
    char *end;

    memset(r, 0, sizeof *r);
    if ((*num != '+' && *num != '-') || num[1] < '0' || num[1] > '9')
        return 0;
    errno = 0;
    r->n = strtol(num + 1, &end, 10);
    if (*end != '\0' || errno != 0 || r->n > 1000000)
        return 0;
    if (*num == '-')
        r->n = -r->n;
    if (at != NULL) {
        if (at == spec || (size_t)(at - spec) >= sizeof r->label)
            return 0;
        snprintf(r->label, sizeof r->label, "%.*s", (int)(at - spec), spec);
        r->has_label = 1;
    }
    if (sym > 0) {
        if (sym >= sizeof r->symbol)
            return 0;
        snprintf(r->symbol, sizeof r->symbol, "%.*s", (int)sym, s);
        r->has_symbol = 1;
    }
    return 1;
}

/* get_revision(): exactly one revision (R_NONE for base). */
static int get_revision(planner *p, size_t *out, const char *spec)
{
    char lbuf[MB_ID_MAX + 8];
    const char *label;
    nlist ids;
    int rc;

    if ((rc = nlist_init(&ids, p->g, p->err)) < 0)
        return rc;
    rc = resolve_number(p, &ids, spec, &label, lbuf, sizeof lbuf);
    if (rc == MB_OK && ids.n > 1) {
        char list[512];

        id_list(list, sizeof list, p, ids.v, ids.n);
        rc = target_error(p, "name one revision", "\"%s\" names %zu "
                          "revisions (%s)", spec, ids.n, list);
    }
    if (rc == MB_OK)
        *out = ids.n ? ids.v[0] : R_NONE;
    free(ids.v);
    return rc;
}

/* "SYMBOL" or "LABEL@SYMBOL" of r as one revision. */
static int symbol_revision(planner *p, size_t *out, const relative *r,
                           int with_label)
{
    char spec[2 * (MB_ID_MAX + 8)];

    if (with_label && r->has_label)
        snprintf(spec, sizeof spec, "%s@%s", r->label, r->symbol);
    else
        snprintf(spec, sizeof spec, "%s", r->symbol);
    return get_revision(p, out, spec);
}

static int too_far(planner *p, const char *spec, long n)
{
    return target_error(p, n > 0 ? "\"heads\" applies everything" :
                        "\"base\" rolls everything back",
                        "\"%s\" goes %s", spec,
                        n > 0 ? "beyond the head" : "below base");
}

/* get_revisions(): the revisions a target names, LABEL@-N included. */
static int get_revisions(planner *p, nlist *out, const char *spec)
{
    char lbuf[MB_ID_MAX + 8];
    const char *label, *id = split_label(spec, lbuf, sizeof lbuf, &label);
    relative r;
    int rc;

    if (id[0] == '-' && parse_relative(&r, id) && r.n < 0) {
        /* LABEL@-N names the revisions N below the label's heads */
        nlist heads;
        size_t i, v;

        if ((rc = nlist_init(&heads, p->g, p->err)) < 0)
            return rc;
        graph_heads(p, &heads, 1);
        out->n = 0;
        for (i = 0; i < heads.n && rc == MB_OK; i++) {
            if (label != NULL) {
                size_t b;

                if ((rc = resolve_branch(p, &b, label)) < 0 ||
                    (rc = mark_lineage(p, b, 0)) < 0)
                    break;
                if (!p->m2[heads.v[i]])
                    continue;
            }
            if ((rc = walk(p, &v, heads.v[i], r.n, NULL, spec)) == MB_OK)
                out->v[out->n++] = v;
        }
        free(heads.v);
        return rc;
    }
    return resolve_number(p, out, spec, &label, lbuf, sizeof lbuf);
}

/* ---- up ----------------------------------------------------------------- */

/* _parse_upgrade_target: the revisions up targets. */
static int parse_up_target(planner *p, nlist *out, const char *spec)
{
    relative r;
    size_t start = R_NONE, v;
    int rc;

    if (!parse_relative(&r, spec))
        return get_revisions(p, out, spec);
    out->n = 0;
    if (r.n > 0 && !r.has_symbol) {
        /* +N from the applied head (of the label's branch) */
        nlist starts;
        size_t i;

        if ((rc = nlist_init(&starts, p->g, p->err)) < 0)
            return rc;
        for (i = 0; i < p->n_heads; i++)
            starts.v[starts.n++] = p->heads[i];
        if (r.has_label && (rc = filter_for(p, &starts, r.label, 0)) == MB_OK &&
            starts.n == 0 && p->n_heads > 0) {
            /* the branch has no applied head: start from the tip of
             * what is applied on it */
            unsigned char *on = mb_calloc(p->g->n, 1);

            if (on == NULL) {
                free(starts.v);
                return oom(p->err);
            }
            for (i = 0; i < p->g->n; i++)
                if (p->applied[i])
                    starts.v[starts.n++] = i;
            rc = filter_for(p, &starts, r.label, 0);
            for (i = 0; rc == MB_OK && i < starts.n; i++) {
                const mb_node *nd = &p->g->nodes[starts.v[i]];
                size_t j;

                for (j = 0; j < nd->n_parents; j++)
                    on[nd->parents[j]] = 1;
                for (j = 0; j < nd->n_ndeps; j++)
                    on[nd->ndeps[j]] = 1;
            }
            if (rc == MB_OK) {
                size_t k = 0;

                for (i = 0; i < starts.n; i++)
                    if (!on[starts.v[i]])
                        starts.v[k++] = starts.v[i];
                starts.n = k;
            }
            free(on);
        }
        if (rc == MB_OK && starts.n > 1) {
            char list[512];

            id_list(list, sizeof list, p, starts.v, starts.n);
            rc = target_error(p, "use LABEL@+N, or name the revision",
                              "\"%s\" is ambiguous: the database has %zu "
                              "applied heads (%s)", spec, starts.n, list);
        }
        if (rc == MB_OK && starts.n == 1)
            start = starts.v[0];
        free(starts.v);
        if (rc < 0 ||
            (rc = walk(p, &v, start, r.n, r.has_label ? r.label : NULL,
                       spec)) < 0)
            return rc;
        if (v == R_NONE)
            return too_far(p, spec, r.n);
    } else if (r.n > 0 || r.has_symbol) {
        if ((rc = symbol_revision(p, &start, &r, r.n <= 0)) < 0 ||
            (rc = walk(p, &v, start, r.n,
                       r.n > 0 && r.has_label ? r.label : NULL, spec)) < 0)
            return rc;
        if (v == R_NONE || v == R_BASE)
            return too_far(p, spec, r.n);
    } else {
        return target_error(p, "-N moves down: use \"down\"",
                            "\"%s\" cannot be used with up", spec);
    }
    out->v[out->n++] = v;
    return MB_OK;
}

/* Append head v (with its ancestors' marks) to the walk's heads. */
static int add_head(planner *p, size_t *cur, unsigned char **anc,
                    size_t *n_cur, size_t v)
{
    if ((anc[*n_cur] = mb_calloc(p->g->n, 1)) == NULL)
        return oom(p->err);
    cur[(*n_cur)++] = v;
    return mb_graph_mark_ancestors(p->g, v, anc[*n_cur - 1], p->err);
}

/*
 * What the heads did not reach (a version table that is not closed under
 * ancestry, edited by hand): start again from the pending revisions that
 * no other pending one needs.
 */
static int reseed(planner *p, const unsigned char *todo, size_t *cur,
                  unsigned char **anc, size_t *n_cur)
{
    unsigned char *needed = mb_calloc(p->g->n + 1, 1);
    size_t i, j;
    int rc = MB_OK;

    if (needed == NULL)
        return oom(p->err);
    for (i = 0; i < p->g->n; i++) {
        const mb_node *nd = &p->g->nodes[i];

        if (!todo[i])
            continue;
        for (j = 0; j < nd->n_parents + nd->n_deps; j++)
            needed[j < nd->n_parents ? nd->parents[j]
                                     : nd->deps[j - nd->n_parents]] = 1;
    }
    for (i = 0; i < p->g->n && rc == MB_OK; i++)
        if (todo[i] && !needed[i])
            rc = add_head(p, cur, anc, n_cur, i);
    free(needed);
    return rc;
}

/* Drop head idx from the walk's heads. */
static void drop_head(size_t *cur, unsigned char **anc, size_t *n_cur,
                      size_t idx)
{
    free(anc[idx]);
    memmove(&cur[idx], &cur[idx + 1], (*n_cur - idx - 1) * sizeof *cur);
    memmove(&anc[idx], &anc[idx + 1], (*n_cur - idx - 1) * sizeof *anc);
    (*n_cur)--;
}

/* The walk down from the heads cur[0..n_cur), until none is left. */
static int walk_heads(planner *p, size_t *order, size_t *n_order,
                      unsigned char *todo, size_t *cur, unsigned char **anc,
                      size_t *n_cur)
{
    const mb_graph *g = p->g;
    size_t idx = 0, j, switches = 0;
    int rc;

    while (*n_cur > 0) {
        size_t c = cur[idx], add[MB_REVISION_MAX_ITEMS * 2], n_add = 0;
        const mb_node *nd = &g->nodes[c];

        for (j = 0; j < *n_cur; j++)
            if (j != idx && anc[j][c])
                break;
        if (j < *n_cur) { /* another head needs c: go down its line */
            idx = j;
            if (++switches > *n_cur)
                return mb_error_set(p->err, MB_EGRAPH, "internal error: "
                                    "the revision order does not settle");
            continue;
        }
        switches = 0;
        if (todo[c]) {
            order[(*n_order)++] = c;
            todo[c] = 0;
        }
        for (j = 0; j < nd->n_parents + nd->n_ndeps; j++) {
            size_t v = j < nd->n_parents ? nd->parents[j]
                                         : nd->ndeps[j - nd->n_parents];
            size_t k;

            for (k = 0; k < *n_cur && cur[k] != v; k++)
                ;
            if (!todo[v] || k < *n_cur)
                continue;
            for (k = 0; k < n_add && add[k] != v; k++)
                ;
            if (k == n_add && n_add < sizeof add / sizeof add[0])
                add[n_add++] = v;
        }
        if (n_add == 0) {
            drop_head(cur, anc, n_cur, idx);
            idx = idx > 0 ? idx - 1 : 0;
            continue;
        }
        cur[idx] = add[0];
        if (nd->n_ndeps == 0 && nd->n_parents == 1) {
            anc[idx][c] = 0; /* plain movement down a line */
            continue;
        }
        memset(anc[idx], 0, g->n);
        if ((rc = mb_graph_mark_ancestors(g, add[0], anc[idx], p->err)) < 0)
            return rc;
        for (j = 1; j < n_add; j++)
            if ((rc = add_head(p, cur, anc, n_cur, add[j])) < 0)
                return rc;
    }
    return MB_OK;
}

/*
 * _topological_sort: the revisions marked in todo, walking down from the
 * heads (those of start[] in todo, in graph order). A line is followed
 * down until it reaches a revision that another pending head still
 * needs; that head's line goes first. Gives the walk's order (down).
 */
static int topo_walk(planner *p, size_t *order, size_t *n_order,
                     unsigned char *todo, const size_t *start, size_t n_start)
{
    const mb_graph *g = p->g;
    size_t *cur = mb_malloc((g->n + 1) * sizeof *cur);
    unsigned char **anc = mb_calloc(g->n + 1, sizeof *anc);
    size_t n_cur = 0, i, j;
    int rc = MB_OK;

    *n_order = 0;
    if (cur == NULL || anc == NULL) {
        rc = oom(p->err);
        goto done;
    }
    for (i = 0; i < g->n; i++) { /* heads in graph order */
        for (j = 0; j < n_start; j++)
            if (start[j] == i && todo[i])
                break;
        if (j < n_start && (rc = add_head(p, cur, anc, &n_cur, i)) < 0)
            goto done;
    }
    for (i = 0; i <= g->n; i++) { /* each round empties cur */
        if (n_cur == 0 && (rc = reseed(p, todo, cur, anc, &n_cur)) < 0)
            goto done;
        if (n_cur == 0)
            break;
        if ((rc = walk_heads(p, order, n_order, todo, cur, anc, &n_cur)) < 0)
            goto done;
    }
done:
    if (anc != NULL)
        for (i = 0; i < n_cur; i++)
            free(anc[i]);
    free(anc);
    free(cur);
    return rc;
}

/* Mark in mark the targets and all they need (Revises, Depends On). */
static int mark_needed(planner *p, unsigned char *mark, const size_t *v,
                       size_t n)
{
    size_t i;
    int rc;

    memset(mark, 0, p->g->n);
    for (i = 0; i < n; i++)
        if ((rc = mb_graph_mark_ancestors(p->g, v[i], mark, p->err)) < 0)
            return rc;
    return MB_OK;
}

static int plan_up(planner *p, mb_plan *out, const char *spec)
{
    nlist targets;
    size_t i, j;
    int rc;

    if ((rc = nlist_init(&targets, p->g, p->err)) < 0)
        return rc;
    if ((rc = parse_up_target(p, &targets, spec)) < 0)
        goto done;
    if (targets.n == 1 && targets.v[0] < p->g->n)
        snprintf(out->resolved, sizeof out->resolved, "%s",
                 id_of(p, targets.v[0]));
    for (i = 0; i < targets.n; i++) {
        if (targets.v[i] >= p->g->n) {
            rc = too_far(p, spec, -1);
            goto done;
        }
    }
    /* a target that another target needs: Alembic refuses the overlap */
    for (i = 0; i < targets.n; i++) {
        memset(p->m1, 0, p->g->n);
        if ((rc = mb_graph_mark_ancestors(p->g, targets.v[i], p->m1,
                                          p->err)) < 0)
            goto done;
        for (j = 0; j < targets.n; j++)
            if (j != i && targets.v[j] != targets.v[i] &&
                p->m1[targets.v[j]]) {
                rc = target_error(p, "name only the later one",
                                  "\"%s\": revision %s overlaps with "
                                  "revision %s", spec,
                                  id_of(p, targets.v[j]),
                                  id_of(p, targets.v[i]));
                goto done;
            }
    }
    if ((rc = mark_needed(p, p->m1, targets.v, targets.n)) < 0)
        goto done;
    for (i = 0; i < p->g->n; i++)
        p->m1[i] = p->m1[i] && !p->applied[i];
    if ((rc = topo_walk(p, out->steps, &out->n, p->m1, targets.v,
                        targets.n)) < 0)
        goto done;
    for (i = 0; i < out->n / 2; i++) { /* up runs the walk reversed */
        size_t t = out->steps[i];
        out->steps[i] = out->steps[out->n - 1 - i];
        out->steps[out->n - 1 - i] = t;
    }
done:
    free(targets.v);
    return rc;
}

/* ---- down --------------------------------------------------------------- */

/* _parse_downgrade_target: the label (into label, "" for none) and the
 * revision (R_NONE: base) down moves to. */
static int parse_down_target(planner *p, size_t *out, char *label,
                             size_t label_size, const char *spec)
{
    relative r;
    int rc;

    label[0] = '\0';
    if (!parse_relative(&r, spec)) {
        const char *at = strrchr(spec, '@');

        if (at != NULL)
            snprintf(label, label_size, "%.*s", (int)(at - spec), spec);
        return get_revision(p, out, at ? at + 1 : spec);
    }
    if (r.has_label)
        snprintf(label, label_size, "%s", r.label);
    if (r.n >= 0) {
        if (!r.has_symbol)
            return target_error(p, "+N moves up: use \"up\"",
                                "\"%s\" cannot be used with down", spec);
        if ((rc = get_revision(p, out, r.symbol)) < 0 ||
            (rc = walk(p, out, *out, r.n, r.has_label ? r.label : NULL,
                       spec)) < 0)
            return rc;
        if (*out == R_NONE)
            return too_far(p, spec, r.n);
        if (*out == R_BASE)
            *out = R_NONE;
        return MB_OK;
    }
    if (!r.has_symbol) {
        size_t start;

        if (p->n_heads == 0)
            return target_error(p, NULL, "\"%s\": nothing is applied",
                                spec);
        if (r.has_label) {
            /* the applied head on the label's branch */
            nlist on;
            size_t i;

            if ((rc = nlist_init(&on, p->g, p->err)) < 0)
                return rc;
            for (i = 0; i < p->n_heads; i++)
                on.v[on.n++] = p->heads[i];
            rc = filter_for(p, &on, r.label, 0);
            if (rc == MB_OK && on.n == 0) {
                /* no applied head on the branch (a revision of another
                 * branch depends on its tip): the applied revisions that
                 * nothing applied revises */
                for (i = 0; i < p->g->n; i++) {
                    const mb_node *nd = &p->g->nodes[i];
                    size_t j, above = 0;

                    for (j = 0; j < nd->n_children; j++)
                        above += p->applied[nd->children[j]];
                    if (p->applied[i] && above == 0)
                        on.v[on.n++] = i;
                }
                rc = filter_for(p, &on, r.label, 0);
            }
            if (rc == MB_OK && on.n != 1)
                rc = target_error(p, "name the revision to move to instead",
                                  "\"%s\": %zu applied heads are on branch "
                                  "\"%s\"", spec, on.n, r.label);
            start = on.n ? on.v[0] : R_NONE;
            free(on.v);
            if (rc < 0)
                return rc;
        } else {
            if (p->n_heads > 1) {
                char list[512];

                id_list(list, sizeof list, p, p->heads, p->n_heads);
                mb_error_set(p->err, MB_ETARGET, "\"%s\" is ambiguous: the "
                             "database has %zu applied heads (%s)", spec,
                             p->n_heads, list);
                mb_error_hint(p->err, "roll back one branch with LABEL@%s "
                              "or HEAD%s, or name the revision to go to",
                              spec, spec);
                return MB_ETARGET;
            }
            start = p->heads[0];
            snprintf(label, label_size, "%s", id_of(p, start));
        }
        if ((rc = walk(p, out, start, r.n, NULL, spec)) < 0)
            return rc;
    } else {
        size_t start;

        if ((rc = symbol_revision(p, &start, &r, 1)) < 0 ||
            (rc = walk(p, out, start, r.n, NULL, spec)) < 0)
            return rc;
    }
    if (*out == R_NONE)
        return too_far(p, spec, r.n);
    if (*out == R_BASE)
        *out = R_NONE;
    return MB_OK;
}

static int plan_down(planner *p, mb_plan *out, const char *spec,
                     int dialect)
{
    const mb_graph *g = p->g;
    char label[MB_ID_MAX + 8];
    size_t target, i;
    nlist roots;
    int rc;

    if ((rc = parse_down_target(p, &target, label, sizeof label, spec)) < 0)
        return rc;
    snprintf(out->resolved, sizeof out->resolved, "%s%s%s", label,
             label[0] ? "@" : "", target == R_NONE ? "base"
                                                   : id_of(p, target));
    if ((rc = nlist_init(&roots, g, p->err)) < 0)
        return rc;
    if (target == R_NONE) {
        for (i = 0; i < g->n; i++)
            if (g->nodes[i].n_parents == 0)
                roots.v[roots.n++] = i;
    } else {
        for (i = 0; i < g->nodes[target].n_children; i++)
            roots.v[roots.n++] = g->nodes[target].children[i];
    }
    if (label[0] != '\0' && roots.n > 1) {
        /* only the roots below the branch's own revision */
        size_t b, k = 0;

        if ((rc = resolve_branch(p, &b, label)) < 0)
            goto done;
        memset(p->m2, 0, g->n);
        if ((rc = mb_graph_mark(g, b, MB_EDGE_PARENTS, p->m2, p->err)) < 0)
            goto done;
        for (i = 0; i < roots.n; i++)
            if (p->m2[roots.v[i]])
                roots.v[k++] = roots.v[i];
        roots.n = k;
        if (k == 0) {
            rc = target_error(p, "\"current\" shows the applied heads",
                              "\"%s\" is not a valid downgrade target from "
                              "the applied heads", spec);
            goto done;
        }
    }
    /* the applied descendants of the roots */
    memset(p->m1, 0, g->n);
    for (i = 0; i < roots.n; i++)
        if ((rc = mb_graph_mark_descendants(g, roots.v[i], p->m1,
                                            p->err)) < 0)
            goto done;
    for (i = 0; i < g->n; i++)
        p->m1[i] = p->m1[i] && p->applied[i];
    if (target != R_NONE) {
        int any = 0, is_head = 0;

        for (i = 0; i < g->n; i++)
            any |= p->m1[i];
        for (i = 0; i < p->n_heads; i++)
            is_head |= p->heads[i] == target;
        if (!any && !is_head) {
            rc = target_error(p, "down moves to an applied revision; "
                              "\"current\" shows the applied heads",
                              "revision %s is not applied",
                              id_of(p, target));
            goto done;
        }
    }
    if ((rc = topo_walk(p, out->steps, &out->n, p->m1, p->heads,
                        p->n_heads)) < 0)
        goto done;
    for (i = 0; i < out->n; i++) {
        const mb_revision *r = g->nodes[out->steps[i]].rev;

        if (mb_revision_reversible(r, dialect))
            continue;
        rc = mb_error_at(p->err, MB_ETARGET, r->path, 0,
                         "revision %s is irreversible: it has no down "
                         "section", r->id);
        mb_error_detail(p->err, "rolling back to the target would run the "
                        "down section of %s (%s)", r->id, r->message);
        mb_error_hint(p->err, "choose a target above %s, or restore the "
                      "database from a backup", r->id);
        goto done;
    }
done:
    free(roots.v);
    return rc;
}

/* ---- shared ------------------------------------------------------------- */

int mb_applied_heads(size_t **out, size_t *n, const mb_graph *g,
                     const unsigned char *applied, mb_error *err)
{
    size_t i, j, k = 0;
    size_t *heads = mb_malloc((g->n ? g->n : 1) * sizeof *heads);

    if (heads == NULL)
        return oom(err);
    for (i = 0; i < g->n; i++) {
        const mb_node *nd = &g->nodes[i];
        int reached = 0;

        if (!applied[i])
            continue;
        for (j = 0; j < nd->n_children && !reached; j++)
            reached = applied[nd->children[j]];
        for (j = 0; j < nd->n_dependents && !reached; j++)
            reached = applied[nd->dependents[j]];
        if (!reached)
            heads[k++] = i;
    }
    *out = heads;
    *n = k;
    return MB_OK;
}

static int planner_init(planner *p, const mb_graph *g,
                        const unsigned char *applied, mb_error *err)
{
    memset(p, 0, sizeof *p);
    p->g = g;
    p->applied = applied;
    p->err = err;
    p->m1 = mb_calloc(g->n + 1, 1);
    p->m2 = mb_calloc(g->n + 1, 1);
    if (p->m1 == NULL || p->m2 == NULL)
        return oom(err);
    return mb_applied_heads(&p->heads, &p->n_heads, g, applied, err);
}

static void planner_free(planner *p)
{
    free(p->heads);
    free(p->m1);
    free(p->m2);
}

void mb_plan_free(mb_plan *p)
{
    free(p->steps);
    p->steps = NULL;
    p->n = 0;
}

int mb_plan_make(mb_plan *out, const mb_graph *g,
                 const unsigned char *applied, const char *spec,
                 int direction, int dialect, mb_error *err)
{
    planner p;
    int rc;

    memset(out, 0, sizeof *out);
    out->direction = direction;
    snprintf(out->resolved, sizeof out->resolved, "%s", spec);
    out->steps = mb_malloc((g->n + 1) * sizeof *out->steps);
    if (out->steps == NULL)
        return oom(err);
    if ((rc = planner_init(&p, g, applied, err)) == MB_OK)
        rc = direction == MB_UP ? plan_up(&p, out, spec)
                                : plan_down(&p, out, spec, dialect);
    planner_free(&p);
    if (rc < 0)
        mb_plan_free(out);
    return rc;
}

/* ---- stamp -------------------------------------------------------------- */

/*
 * Alembic's stamp moves its version rows ("heads") per target: base
 * deletes every head on the target's lineage; a target below such heads
 * replaces them all (a downgrade), one above them replaces them all (an
 * upgrade), one on no lineage of a head is added. We run those moves on a
 * head set and store what the final heads need.
 */
int mb_plan_stamp(unsigned char *result, const mb_graph *g,
                  const unsigned char *applied, const char *const *specs,
                  size_t n, int purge, mb_error *err)
{
    unsigned char *none = NULL, *heads = NULL;
    nlist filtered, dests, one;
    planner p;
    size_t i, j;
    int rc;

    memset(&filtered, 0, sizeof filtered);
    memset(&dests, 0, sizeof dests);
    memset(&one, 0, sizeof one);
    if ((none = mb_calloc(g->n + 1, 1)) == NULL)
        return oom(err);
    rc = planner_init(&p, g, purge ? none : applied, err);
    if (rc == MB_OK && ((heads = mb_calloc(g->n + 1, 1)) == NULL))
        rc = oom(err);
    if (rc < 0 || (rc = nlist_init(&filtered, g, err)) < 0 ||
        (rc = nlist_init(&dests, g, err)) < 0 ||
        (rc = nlist_init(&one, g, err)) < 0)
        goto done;
    for (i = 0; i < p.n_heads; i++)
        heads[p.heads[i]] = 1;
    /* the applied heads on the lineage of any target */
    for (i = 0; i < n; i++) {
        one.n = 0;
        for (j = 0; j < p.n_heads; j++)
            one.v[one.n++] = p.heads[j];
        if ((rc = filter_for(&p, &one, specs[i], 1)) < 0)
            goto done;
        for (j = 0; j < one.n; j++)
            nlist_add_unique(&filtered, one.v[j]);
    }
    /* the targets; two on one lineage are refused */
    for (i = 0; i < n; i++) {
        if ((rc = get_revisions(&p, &one, specs[i])) < 0)
            goto done;
        for (j = 0; j < one.n; j++) {
            if (one.v[j] >= g->n) {
                rc = too_far(&p, specs[i], -1);
                goto done;
            }
            nlist_add_unique(&dests, one.v[j]);
        }
    }
    for (i = 0; i < dests.n; i++) {
        if ((rc = mark_lineage(&p, dests.v[i], 1)) < 0)
            goto done;
        for (j = 0; j < dests.n; j++)
            if (j != i && p.m2[dests.v[j]]) {
                rc = target_error(&p, "stamp one revision per branch",
                                  "stamp targets %s and %s are on one "
                                  "lineage", id_of(&p, dests.v[i]),
                                  id_of(&p, dests.v[j]));
                goto done;
            }
    }
    if (dests.n == 0) { /* base: forget the heads on the targets' lineage */
        for (i = 0; i < filtered.n; i++)
            heads[filtered.v[i]] = 0;
    }
    for (i = 0; i < dests.n; i++) {
        size_t d = dests.v[i], k, below = 0, above = 0;

        if (nlist_has(&filtered, d))
            continue;
        memset(p.m1, 0, g->n);
        memset(p.m2, 0, g->n);
        if ((rc = mb_graph_mark_descendants(g, d, p.m1, err)) < 0 ||
            (rc = mb_graph_mark_ancestors(g, d, p.m2, err)) < 0)
            goto done;
        for (k = 0; k < filtered.n; k++) {
            above += p.m1[filtered.v[k]];
            below += p.m2[filtered.v[k]];
        }
        if (above > 0 || below > 0) {
            /* the filtered heads merge into d, up or down */
            for (k = 0; k < filtered.n; k++) {
                if (!heads[filtered.v[k]]) {
                    rc = target_error(&p, NULL, "stamp %s: revision %s is "
                                      "no longer a head", specs[0],
                                      id_of(&p, filtered.v[k]));
                    goto done;
                }
                heads[filtered.v[k]] = 0;
            }
        }
        if (heads[d]) {
            rc = target_error(&p, NULL, "stamp: revision %s is already "
                              "recorded as a head", id_of(&p, d));
            goto done;
        }
        heads[d] = 1;
    }
    memset(result, 0, g->n);
    for (i = 0; i < g->n; i++)
        if (heads[i] && (rc = mb_graph_mark_ancestors(g, i, result, err)) < 0)
            goto done;
done:
    planner_free(&p);
    free(filtered.v);
    free(dests.v);
    free(one.v);
    free(heads);
    free(none);
    return rc;
}

/* ---- reading: show, history -r, branch labels --------------------------- */

/* Copy the applied heads into l; "current" needs the applied set. */
static int current_heads(planner *p, nlist *l, const unsigned char *applied)
{
    size_t i;

    if (applied == NULL)
        return target_error(p, "give a database with -d or DATABASE_URL",
                            "\"current\" needs the database");
    l->n = 0;
    for (i = 0; i < p->n_heads; i++)
        l->v[l->n++] = p->heads[i];
    return MB_OK;
}

/* Refuse a walk that ended at or below base. */
static int check_nodes(planner *p, const nlist *l, const char *spec)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (l->v[i] >= p->g->n)
            return too_far(p, spec, -1);
    return MB_OK;
}

int mb_plan_revisions(size_t **out, size_t *n, const mb_graph *g,
                      const unsigned char *applied, const char *spec,
                      mb_error *err)
{
    unsigned char *none = mb_calloc(g->n + 1, 1);
    planner p;
    nlist l = {NULL, 0};
    int rc;

    *out = NULL;
    *n = 0;
    if (none == NULL)
        return oom(err);
    if ((rc = planner_init(&p, g, applied ? applied : none, err)) < 0 ||
        (rc = nlist_init(&l, g, err)) < 0)
        goto done;
    if (strcmp(spec, "current") == 0)
        rc = current_heads(&p, &l, applied);
    else if ((rc = get_revisions(&p, &l, spec)) == MB_OK)
        rc = check_nodes(&p, &l, spec);
done:
    planner_free(&p);
    free(none);
    if (rc < 0) {
        free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return MB_OK;
}

/* A real branch point (children and dependents) or a merge point. */
static int branch_or_merge(const mb_node *nd)
{
    return nd->n_children + nd->n_dependents > 1 || nd->n_parents > 1;
}

int mb_plan_label_members(unsigned char *mark, const mb_graph *g,
                          size_t label, mb_error *err)
{
    size_t b = g->labels[label].node, v = b, k;
    int rc;

    memset(mark, 0, g->n);
    if ((rc = mb_graph_mark(g, b, MB_EDGE_CHILDREN, mark, err)) < 0)
        return rc;
    /* Alembic walks down from the last descendant it visited: that walk
     * passes below b only when b's descendants form one plain line */
    for (k = 0; k < g->n; k++) {
        if (branch_or_merge(&g->nodes[v]))
            return MB_OK;
        if (g->nodes[v].n_children == 0)
            break;
        v = g->nodes[v].children[0];
    }
    for (v = b, k = 0; k < g->n; k++) {
        const mb_node *nd = &g->nodes[v];

        if (branch_or_merge(nd))
            break;
        mark[v] = 1;
        if (nd->n_parents == 0)
            break;
        v = nd->parents[0];
    }
    return MB_OK;
}

/* "LABEL@..." as the lower end: keep the targets that carry the label (a
 * revision id there stands for its label). */
static int filter_label(planner *p, nlist *targets, const char *lower)
{
    size_t len = strcspn(lower, "@"), i, k = 0, lab = MB_NONE, v;
    unsigned char *mark = mb_calloc(p->g->n + 1, 1);
    int rc = MB_OK;

    if (mark == NULL)
        return oom(p->err);
    for (i = 0; i < p->g->n_labels && lab == MB_NONE; i++)
        if (strlen(p->g->labels[i].label) == len &&
            strncmp(p->g->labels[i].label, lower, len) == 0)
            lab = i;
    v = find_key(p->g, lower, len);
    for (i = 0; lab == MB_NONE && v != MB_NONE && i < p->g->n_labels; i++) {
        if ((rc = mb_plan_label_members(mark, p->g, i, p->err)) < 0)
            goto done;
        if (mark[v])
            lab = i;
    }
    memset(mark, 0, p->g->n);
    if (lab != MB_NONE &&
        (rc = mb_plan_label_members(mark, p->g, lab, p->err)) < 0)
        goto done;
    for (i = 0; i < targets->n; i++)
        if (mark[targets->v[i]])
            targets->v[k++] = targets->v[i];
    targets->n = k;
done:
    free(mark);
    return rc;
}

/* The ends of a range: cur (current_revisions, from lower) and the
 * targets (from upper, a +N walking up from cur). */
static int range_ends(planner *p, nlist *cur, nlist *targets,
                      const unsigned char *applied, const char *lower,
                      const char *upper)
{
    size_t *saved = p->heads, n_saved = p->n_heads;
    int rc;

    if (strcmp(lower, "current") == 0)
        rc = current_heads(p, cur, applied);
    else if ((rc = get_revisions(p, cur, lower)) == MB_OK)
        rc = check_nodes(p, cur, lower);
    if (rc < 0)
        return rc;
    if (strcmp(upper, "current") == 0) {
        /* nothing applied: Alembic falls back to "heads" */
        if ((rc = current_heads(p, targets, applied)) < 0 || targets->n > 0)
            return rc;
        upper = "heads";
    }
    if (upper[0] == '-')
        return target_error(p, "give the upper end as a revision, or as "
                            "REV-N", "\"%s\" cannot be the upper end of a "
                            "range", upper);
    if (upper[0] == '+' && cur->n > 1) {
        char list[512];

        id_list(list, sizeof list, p, cur->v, cur->n);
        return target_error(p, "give a lower end that names one revision",
                            "\"%s\" is ambiguous: the lower end \"%s\" "
                            "names %zu revisions (%s)", upper, lower,
                            cur->n, list);
    }
    p->heads = cur->v;
    p->n_heads = cur->n;
    p->overwalk = 1;
    rc = parse_up_target(p, targets, upper);
    p->heads = saved;
    p->n_heads = n_saved;
    p->overwalk = 0;
    if (rc == MB_OK)
        rc = check_nodes(p, targets, upper);
    if (rc == MB_OK && strchr(lower, '@') != NULL)
        rc = filter_label(p, targets, lower);
    return rc;
}

int mb_plan_range(size_t **out, size_t *n, const mb_graph *g,
                  const unsigned char *applied, const char *lower,
                  const char *upper, mb_error *err)
{
    unsigned char *none = mb_calloc(g->n + 1, 1), *desc = NULL;
    size_t *order = mb_malloc((g->n + 1) * sizeof *order), i;
    nlist cur = {NULL, 0}, targets = {NULL, 0};
    planner p;
    int rc;

    *out = NULL;
    *n = 0;
    lower = lower != NULL && lower[0] != '\0' ? lower : "base";
    upper = upper != NULL && upper[0] != '\0' ? upper : "heads";
    memset(&p, 0, sizeof p);
    if (none == NULL || order == NULL) {
        rc = oom(err);
        goto done;
    }
    if ((rc = planner_init(&p, g, applied ? applied : none, err)) < 0 ||
        (rc = nlist_init(&cur, g, err)) < 0 ||
        (rc = nlist_init(&targets, g, err)) < 0 ||
        (rc = range_ends(&p, &cur, &targets, applied, lower, upper)) < 0 ||
        (rc = mark_needed(&p, p.m1, targets.v, targets.n)) < 0)
        goto done;
    for (i = 0; i < cur.n; i++)
        if (!p.m1[cur.v[i]]) {
            rc = target_error(&p, "the lower end must be an ancestor of "
                              "the upper end", "requested range %s:%s "
                              "does not refer to ancestor/descendant "
                              "revisions along the same branch", lower,
                              upper);
            goto done;
        }
    /* what upper needs and lower lacks, lower included, above lower */
    memset(p.m2, 0, g->n);
    for (i = 0; i < cur.n; i++)
        if ((rc = mb_graph_mark_ancestors(g, cur.v[i], p.m2, err)) < 0)
            goto done;
    for (i = 0; i < g->n; i++)
        p.m1[i] = p.m1[i] && !p.m2[i];
    for (i = 0; i < cur.n; i++)
        p.m1[cur.v[i]] = 1;
    if (cur.n > 0) {
        if ((desc = mb_calloc(g->n + 1, 1)) == NULL) {
            rc = oom(err);
            goto done;
        }
        for (i = 0; i < cur.n; i++)
            if ((rc = mb_graph_mark(g, cur.v[i], MB_EDGE_CHILDREN, desc,
                                    err)) < 0)
                goto done;
        for (i = 0; i < g->n; i++)
            p.m1[i] = p.m1[i] && desc[i];
    }
    rc = topo_walk(&p, order, n, p.m1, targets.v, targets.n);
done:
    planner_free(&p);
    free(cur.v);
    free(targets.v);
    free(desc);
    free(none);
    if (rc < 0) {
        free(order);
        *n = 0;
        return rc;
    }
    *out = order;
    return MB_OK;
}

int mb_range_parse(mb_range *r, const char *spec, mb_error *err)
{
    char *colon;

    r->text[0] = '\0';
    r->lower = r->upper = NULL;
    if (spec == NULL)
        return MB_OK;
    if (strlen(spec) >= sizeof r->text)
        return mb_error_set(err, MB_EUSAGE, "invalid range: longer than "
                            "%zu characters", sizeof r->text - 1);
    snprintf(r->text, sizeof r->text, "%s", spec);
    colon = strchr(r->text, ':');
    if (colon == NULL || strchr(colon + 1, ':') != NULL)
        return mb_error_set(err, MB_EUSAGE, "invalid range \"%s\": give "
                            "START:END, START: or :END", spec);
    *colon = '\0';
    r->lower = r->text;
    r->upper = colon + 1;
    return MB_OK;
}

int mb_range_uses_current(const mb_range *r)
{
    return (r->lower != NULL && strcmp(r->lower, "current") == 0) ||
           (r->upper != NULL && strcmp(r->upper, "current") == 0);
}

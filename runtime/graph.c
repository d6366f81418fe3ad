/*
 * graph.c -- build and query the revision DAG (see mb/graph.h).
 *
 * Building resolves every `Revises` and `Depends On` name to a node index,
 * fills the reverse edges, checks branch labels and computes a
 * deterministic topological order with Kahn's algorithm (a min-heap on the
 * node index, i.e. on sorted path order). Nodes left over are on a cycle,
 * which is then walked once to name it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/graph.h"

typedef struct id_slot {
    const char *id;
    size_t node;
} id_slot;

static int cmp_slot(const void *a, const void *b)
{
    const id_slot *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->node > y->node) - (x->node < y->node);
}

/* Fill g->by_id with the node indices in byte order of their ids. */
static int sort_ids(mb_graph *g, mb_error *err)
{
    id_slot *slots = mb_malloc((g->n ? g->n : 1) * sizeof *slots);
    size_t i;
    int in_order = 1;

    if (slots == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    for (i = 0; i < g->n; i++) {
        slots[i].id = g->nodes[i].rev->id;
        slots[i].node = i;
        if (i > 0 && in_order && cmp_slot(&slots[i - 1], &slots[i]) > 0)
            in_order = 0;
    }
    /* the revisions come sorted by path, and a file is named after its
     * id as a rule, so the ids are often in order already; glibc's qsort
     * still compares about n log2(n) / 2 times then */
    if (!in_order)
        qsort(slots, g->n, sizeof *slots, cmp_slot);
    for (i = 0; i < g->n; i++)
        g->by_id[i] = slots[i].node;
    free(slots);
    return MB_OK;
}

/*
 * Exact lookups by id go through a hash table built once with the graph,
 * by_id stays for prefix lookups and to find duplicate ids. A no-op `up`
 * looks up every parent and every applied row (bench/noop_sqlite.sh: 2000
 * lookups for 1000 revisions), and a binary search costs about log2(n)
 * strcmp() calls each. Open addressing with linear probing on FNV-1a;
 * the table has at least half as many slots again as nodes, so every
 * probe sequence meets an empty slot.
 */
static size_t id_hash(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a, 64 bits */

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return (size_t)h;
}

/* Fill g->id_slots (node index + 1 per used slot, 0 when empty). */
static int index_ids(mb_graph *g, mb_error *err)
{
    size_t cap = 16, i;

    if (g->n >= UINT32_MAX / 2)
        return mb_error_set(err, MB_ENOMEM, "too many revisions (%zu)",
                            g->n);
    while (cap < g->n + g->n / 2 + 1)
        cap *= 2;
    g->id_slots = mb_calloc(cap, sizeof *g->id_slots);
    if (g->id_slots == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    g->id_mask = cap - 1;
    for (i = 0; i < g->n; i++) {
        size_t s = id_hash(g->nodes[i].rev->id) & g->id_mask;

        /* ends: fewer than cap slots are used, i of them */
        while (g->id_slots[s] != 0)
            s = (s + 1) & g->id_mask;
        g->id_slots[s] = (uint32_t)(i + 1);
    }
    return MB_OK;
}

static int cmp_label(const void *a, const void *b)
{
    const mb_label *x = a, *y = b;
    return strcmp(x->label, y->label);
}

size_t mb_graph_find(const mb_graph *g, const char *id)
{
    size_t s, k;

    if (g->id_slots == NULL)
        return MB_NONE;
    s = id_hash(id) & g->id_mask;
    for (k = 0; k <= g->id_mask; k++, s = (s + 1) & g->id_mask) {
        uint32_t v = g->id_slots[s];

        if (v == 0)
            return MB_NONE;
        if (strcmp(g->nodes[v - 1].rev->id, id) == 0)
            return v - 1;
    }
    return MB_NONE;
}

/* First position in by_id whose id is >= s. */
static size_t lower_bound(const mb_graph *g, const char *s)
{
    size_t lo = 0, hi = g->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(g->nodes[g->by_id[mid]].rev->id, s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int mb_graph_lookup(size_t *out, const mb_graph *g, const char *spec,
                    mb_error *err)
{
    size_t plen = strlen(spec), pos, count = 0, i, shown = 0;
    size_t exact = mb_graph_find(g, spec);
    char list[512];

    if (exact != MB_NONE) {
        *out = exact;
        return MB_OK;
    }
    pos = lower_bound(g, spec);
    for (i = pos; i < g->n; i++) {
        if (strncmp(g->nodes[g->by_id[i]].rev->id, spec, plen) != 0)
            break;
        count++;
    }
    if (plen > 0 && count == 1) {
        *out = g->by_id[pos];
        return MB_OK;
    }
    if (count == 0 || plen == 0) {
        mb_error_set(err, MB_ETARGET, "unknown revision \"%s\"", spec);
        mb_error_hint(err, "use a revision id or a unique prefix of one, "
                      "or head, heads, base, +N, -N; \"heads\" lists them");
        return MB_ETARGET;
    }
    list[0] = '\0';
    for (i = pos; i < pos + count && shown < 8; i++, shown++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", shown ? ", " : "",
                 g->nodes[g->by_id[i]].rev->id);
    }
    mb_error_set(err, MB_ETARGET, "revision prefix \"%s\" is ambiguous",
                 spec);
    mb_error_detail(err, "it matches %zu revisions: %s%s", count, list,
                    count > shown ? ", ..." : "");
    mb_error_hint(err, "give more characters of the revision id");
    return MB_ETARGET;
}

/* Resolve names[0..n) to node indices in out; error at line of rev. */
static int resolve(const mb_graph *g, const mb_revision *rev,
                   const char *const *names, unsigned n, unsigned line,
                   const char *what, size_t *out, mb_error *err)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        size_t idx = mb_graph_find(g, names[i]);

        if (idx == MB_NONE) {
            mb_error_at(err, MB_EGRAPH, rev->path, (int)line,
                        "unknown %s revision \"%s\"", what, names[i]);
            if (strcmp(names[i], "None") == 0)
                mb_error_hint(err, "a base revision leaves the key empty");
            else
                mb_error_hint(err, "name the full Revision ID of another "
                              "revision file in the migrations directory");
            return MB_EGRAPH;
        }
        out[i] = idx;
    }
    return MB_OK;
}

static int check_labels(mb_graph *g, mb_error *err)
{
    size_t i, k = 0, total = 0;
    unsigned j;

    for (i = 0; i < g->n; i++)
        total += g->nodes[i].rev->n_branch_labels;
    if (total == 0)
        return MB_OK;
    g->labels = mb_calloc(total, sizeof *g->labels);
    if (g->labels == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    for (i = 0; i < g->n; i++) {
        const mb_revision *r = g->nodes[i].rev;

        for (j = 0; j < r->n_branch_labels; j++) {
            if (mb_graph_find(g, r->branch_labels[j]) != MB_NONE) {
                mb_error_at(err, MB_EGRAPH, r->path, (int)r->labels_line,
                            "branch label \"%s\" is also a revision id",
                            r->branch_labels[j]);
                mb_error_hint(err, "choose a label that no revision uses "
                              "as its id");
                return MB_EGRAPH;
            }
            g->labels[k].label = r->branch_labels[j];
            g->labels[k].node = i;
            k++;
        }
    }
    g->n_labels = k;
    qsort(g->labels, k, sizeof *g->labels, cmp_label);
    for (i = 1; i < k; i++) {
        if (strcmp(g->labels[i - 1].label, g->labels[i].label) == 0) {
            const mb_revision *a = g->nodes[g->labels[i - 1].node].rev;
            const mb_revision *b = g->nodes[g->labels[i].node].rev;
            /* report the later file, name the earlier one */
            if (strcmp(a->path, b->path) > 0) {
                const mb_revision *t = a;
                a = b;
                b = t;
            }
            mb_error_at(err, MB_EGRAPH, b->path, (int)b->labels_line,
                        "branch label \"%s\" is declared twice",
                        g->labels[i].label);
            mb_error_detail(err, "also declared by revision %s in %s:%u",
                            a->id, a->path, a->labels_line);
            mb_error_hint(err, "a branch label names one branch; "
                          "give each branch its own label");
            return MB_EGRAPH;
        }
    }
    return MB_OK;
}

/* A binary min-heap of node indices, for a deterministic Kahn order. */
static void heap_push(size_t *heap, size_t *len, size_t v)
{
    size_t i = (*len)++;

    while (i > 0 && heap[(i - 1) / 2] > v) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = v;
}

static size_t heap_pop(size_t *heap, size_t *len)
{
    size_t top = heap[0], v = heap[--(*len)], i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= *len)
            break;
        if (c + 1 < *len && heap[c + 1] < heap[c])
            c++;
        if (heap[c] >= v)
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (*len > 0)
        heap[i] = v;
    return top;
}

/*
 * Some nodes were never freed by Kahn: walk from one of them through
 * unfinished parents/dependencies until a node repeats, and report the
 * cycle found. Every step moves to an unfinished node, so the walk ends
 * within n steps.
 */
static int report_cycle(const mb_graph *g, const size_t *indeg,
                        mb_error *err)
{
    size_t *seen_at = NULL, *path = NULL, cur = MB_NONE, len = 0, i;
    char text[768];
    const mb_revision *r;

    for (i = 0; i < g->n && cur == MB_NONE; i++)
        if (indeg[i] > 0)
            cur = i;
    seen_at = mb_malloc(g->n * sizeof *seen_at);
    path = mb_malloc((g->n + 1) * sizeof *path);
    if (seen_at == NULL || path == NULL) {
        free(seen_at);
        free(path);
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    }
    for (i = 0; i < g->n; i++)
        seen_at[i] = MB_NONE;
    while (seen_at[cur] == MB_NONE && len <= g->n) {
        const mb_node *nd = &g->nodes[cur];
        size_t next = MB_NONE;

        seen_at[cur] = len;
        path[len++] = cur;
        for (i = 0; i < nd->n_parents && next == MB_NONE; i++)
            if (indeg[nd->parents[i]] > 0)
                next = nd->parents[i];
        for (i = 0; i < nd->n_deps && next == MB_NONE; i++)
            if (indeg[nd->deps[i]] > 0)
                next = nd->deps[i];
        cur = next;
    }
    /* path[seen_at[cur]..len) is the cycle, each revising the next */
    text[0] = '\0';
    for (i = seen_at[cur]; i < len; i++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s -> ",
                 g->nodes[path[i]].rev->id);
    }
    {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s", g->nodes[cur].rev->id);
    }
    r = g->nodes[cur].rev;
    mb_error_at(err, MB_EGRAPH, r->path,
                (int)(r->revises_line ? r->revises_line : r->depends_line),
                "revision graph has a cycle through \"%s\"", r->id);
    mb_error_detail(err, "each revises or depends on the next: %s", text);
    mb_error_hint(err, "a revision may only revise or depend on older "
                  "revisions; break the cycle");
    free(seen_at);
    free(path);
    return MB_EGRAPH;
}

static int topo_sort(mb_graph *g, mb_error *err)
{
    size_t *indeg = NULL, *heap = NULL, hlen = 0, done = 0, i, j;
    int rc = MB_OK;

    indeg = mb_calloc(g->n, sizeof *indeg);
    heap = mb_malloc(g->n * sizeof *heap);
    g->order = mb_malloc(g->n * sizeof *g->order);
    if (indeg == NULL || heap == NULL || g->order == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < g->n; i++) {
        indeg[i] = g->nodes[i].n_parents + g->nodes[i].n_deps;
        if (indeg[i] == 0)
            heap_push(heap, &hlen, i);
    }
    while (hlen > 0) {
        size_t v = heap_pop(heap, &hlen);
        const mb_node *nd = &g->nodes[v];

        g->nodes[v].topo = done;
        g->order[done++] = v;
        for (j = 0; j < nd->n_children; j++)
            if (--indeg[nd->children[j]] == 0)
                heap_push(heap, &hlen, nd->children[j]);
        for (j = 0; j < nd->n_dependents; j++)
            if (--indeg[nd->dependents[j]] == 0)
                heap_push(heap, &hlen, nd->dependents[j]);
    }
    if (done < g->n)
        rc = report_cycle(g, indeg, err);
done:
    free(indeg);
    free(heap);
    return rc;
}

/*
 * Alembic's normalized dependencies: a node's Depends On without those
 * that one of its ancestors through Revises already depends on. They are
 * the dependency edges Alembic walks when it orders revisions and moves
 * heads. Stored in the second half of each node's deps array's storage
 * (g->ndeps_store).
 */
static int normalize_deps(mb_graph *g, mb_error *err)
{
    unsigned char *anc = NULL, *covered = NULL;
    size_t i, j, k, total = 0;
    int rc = MB_OK;

    for (i = 0; i < g->n; i++)
        total += g->nodes[i].n_deps;
    if (total == 0)
        return MB_OK;
    g->ndeps_store = mb_malloc(total * sizeof *g->ndeps_store);
    anc = mb_malloc(g->n);
    covered = mb_malloc(g->n);
    if (g->ndeps_store == NULL || anc == NULL || covered == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    total = 0;
    for (i = 0; i < g->n; i++) {
        mb_node *nd = &g->nodes[i];

        nd->ndeps = g->ndeps_store + total;
        if (nd->n_deps == 0)
            continue;
        memset(anc, 0, g->n);
        memset(covered, 0, g->n);
        for (j = 0; j < nd->n_parents; j++)
            if ((rc = mb_graph_mark(g, nd->parents[j], MB_EDGE_PARENTS, anc,
                                    err)) < 0)
                goto done;
        for (j = 0; j < g->n; j++)
            if (anc[j])
                for (k = 0; k < g->nodes[j].n_deps; k++)
                    covered[g->nodes[j].deps[k]] = 1;
        for (j = 0; j < nd->n_deps; j++)
            if (!covered[nd->deps[j]])
                nd->ndeps[nd->n_ndeps++] = nd->deps[j];
        total += nd->n_ndeps;
    }
done:
    free(anc);
    free(covered);
    return rc;
}

/* Fill reverse edges (children, dependents) and the heads/bases lists. */
static int link_reverse(mb_graph *g, size_t *store, mb_error *err)
{
    size_t i, j, nh = 0, nb = 0;

    for (i = 0; i < g->n; i++) {
        mb_node *nd = &g->nodes[i];
        for (j = 0; j < nd->n_parents; j++)
            g->nodes[nd->parents[j]].n_children++;
        for (j = 0; j < nd->n_deps; j++)
            g->nodes[nd->deps[j]].n_dependents++;
    }
    for (i = 0; i < g->n; i++) {
        mb_node *nd = &g->nodes[i];
        nd->children = store;
        store += nd->n_children;
        nd->dependents = store;
        store += nd->n_dependents;
        nd->n_children = nd->n_dependents = 0; /* refilled below */
    }
    for (i = 0; i < g->n; i++) {
        mb_node *nd = &g->nodes[i];
        for (j = 0; j < nd->n_parents; j++) {
            mb_node *p = &g->nodes[nd->parents[j]];
            p->children[p->n_children++] = i;
        }
        for (j = 0; j < nd->n_deps; j++) {
            mb_node *p = &g->nodes[nd->deps[j]];
            p->dependents[p->n_dependents++] = i;
        }
    }
    for (i = 0; i < g->n; i++) {
        nh += g->nodes[i].n_children == 0;
        nb += g->nodes[i].n_parents == 0;
    }
    g->heads = mb_malloc((nh ? nh : 1) * sizeof *g->heads);
    g->bases = mb_malloc((nb ? nb : 1) * sizeof *g->bases);
    if (g->heads == NULL || g->bases == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    return MB_OK;
}

int mb_graph_build(mb_graph *g, const mb_revision *revs, size_t n,
                   mb_error *err)
{
    size_t i, total = 0;
    size_t *store;
    int rc;

    memset(g, 0, sizeof *g);
    for (i = 0; i < n; i++)
        total += revs[i].n_revises + revs[i].n_depends_on;
    g->n = n;
    g->nodes = mb_calloc(n ? n : 1, sizeof *g->nodes);
    g->by_id = mb_malloc((n ? n : 1) * sizeof *g->by_id);
    /* forward edges, then the same number of reverse edges */
    g->edges = mb_malloc((total ? 2 * total : 1) * sizeof *g->edges);
    if (g->nodes == NULL || g->by_id == NULL || g->edges == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++)
        g->nodes[i].rev = &revs[i];
    if ((rc = sort_ids(g, err)) < 0)
        goto done;
    for (i = 1; i < n; i++) {
        const mb_revision *a = g->nodes[g->by_id[i - 1]].rev;
        const mb_revision *b = g->nodes[g->by_id[i]].rev;

        if (strcmp(a->id, b->id) == 0) {
            if (strcmp(a->path, b->path) > 0) {
                const mb_revision *t = a;
                a = b;
                b = t;
            }
            rc = mb_error_at(err, MB_EGRAPH, b->path, (int)b->id_line,
                             "duplicate revision id \"%s\"", b->id);
            mb_error_detail(err, "also defined in %s:%u", a->path,
                            a->id_line);
            mb_error_hint(err, "every revision needs its own Revision ID");
            goto done;
        }
    }
    if ((rc = index_ids(g, err)) < 0)
        goto done;
    store = g->edges;
    for (i = 0; i < n; i++) {
        mb_node *nd = &g->nodes[i];
        const mb_revision *r = &revs[i];

        nd->parents = store;
        nd->n_parents = r->n_revises;
        store += r->n_revises;
        nd->deps = store;
        nd->n_deps = r->n_depends_on;
        store += r->n_depends_on;
        if ((rc = resolve(g, r, r->revises, r->n_revises, r->revises_line,
                          "parent", nd->parents, err)) < 0 ||
            (rc = resolve(g, r, r->depends_on, r->n_depends_on,
                          r->depends_line, "dependency", nd->deps, err)) < 0)
            goto done;
    }
    if ((rc = link_reverse(g, store, err)) < 0 ||
        (rc = check_labels(g, err)) < 0 ||
        (rc = topo_sort(g, err)) < 0 || (rc = normalize_deps(g, err)) < 0)
        goto done;
    for (i = 0; i < n; i++) {
        size_t v = g->order[i];
        if (g->nodes[v].n_children == 0)
            g->heads[g->n_heads++] = v;
        if (g->nodes[v].n_parents == 0)
            g->bases[g->n_bases++] = v;
    }
done:
    if (rc < 0)
        mb_graph_free(g);
    return rc;
}

void mb_graph_free(mb_graph *g)
{
    if (g == NULL)
        return;
    free(g->nodes);
    free(g->order);
    free(g->by_id);
    free(g->id_slots);
    free(g->heads);
    free(g->bases);
    free(g->labels);
    free(g->edges);
    free(g->ndeps_store);
    memset(g, 0, sizeof *g);
}

/* Iterative walk; the stack never holds more than n entries because a
 * node is pushed only when it is first marked. */
int mb_graph_mark(const mb_graph *g, size_t node, unsigned edges,
                  unsigned char *mark, mb_error *err)
{
    size_t *stack, len = 0, i;

    if (mark[node])
        return MB_OK;
    stack = mb_malloc(g->n * sizeof *stack);
    if (stack == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    mark[node] = 1;
    stack[len++] = node;
    while (len > 0) {
        const mb_node *nd = &g->nodes[stack[--len]];
        const size_t *lists[4] = {nd->parents, nd->deps, nd->children,
                                  nd->dependents};
        size_t lens[4] = {nd->n_parents, nd->n_deps, nd->n_children,
                          nd->n_dependents};
        unsigned k;

        for (k = 0; k < 4; k++) {
            if (!(edges & (1u << k)))
                continue;
            for (i = 0; i < lens[k]; i++) {
                size_t v = lists[k][i];
                if (!mark[v]) {
                    mark[v] = 1;
                    stack[len++] = v;
                }
            }
        }
    }
    free(stack);
    return MB_OK;
}

int mb_graph_mark_ancestors(const mb_graph *g, size_t node,
                            unsigned char *mark, mb_error *err)
{
    return mb_graph_mark(g, node, MB_EDGE_DOWN, mark, err);
}

int mb_graph_mark_descendants(const mb_graph *g, size_t node,
                              unsigned char *mark, mb_error *err)
{
    return mb_graph_mark(g, node, MB_EDGE_UP, mark, err);
}

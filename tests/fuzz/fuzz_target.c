/*
 * fuzz_target.c -- libFuzzer harness for the target grammar:
 * mb_target_resolve(), mb_graph_lookup() and the plan made from a target.
 *
 * Built and run by tests/fuzz/run.sh (ctest: fuzz.target), with the
 * dictionary target.dict; seeds in corpus/target/.
 *
 * fuzz-sources: runtime/plan.c runtime/graph.c runtime/revfile.c
 * fuzz-sources: runtime/checksum.c runtime/buf.c runtime/arena.c
 * fuzz-sources: runtime/error.c
 * fuzz-libs: -lxxhash
 *
 * The graph is fixed (see revs[] below): two bases, a branch and its
 * merge, Depends On links, branch labels, an id that is a prefix of
 * another, a revision without a down section, two heads. The input is
 *
 *   byte 0, byte 1   the applied set: bit i of the 16 is node i (11 nodes);
 *                    bit 15 set: taken as is, else closed under ancestry
 *                    (what a consistent version table holds)
 *   byte 2           bits 0-1: the dialect of the plan (any, postgresql,
 *                    sqlite)
 *   the rest         the target text (up to a NUL)
 *
 * and the target is resolved for up and for down. Checked:
 *   - success: "base" has no nodes; otherwise 1..n distinct valid nodes,
 *     "heads" exactly the graph's heads; an id or prefix one node whose id
 *     starts with the text (the same one mb_graph_lookup() finds), applied
 *     when going down; on a closed set, +N is not applied yet and -N is.
 *     Then the plan: distinct valid steps, up only unapplied ones, down
 *     only applied and reversible ones; on a closed set the set after the
 *     plan is closed again and holds the targets after up (down keeps
 *     them as they were); after down nothing is
 *     left above a target unless it is below another (base: nothing).
 *   - failure: MB_ETARGET with a message, and no nodes returned.
 * Nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzhelp.h"
#include "mb/plan.h"
#include "mb/revfile.h"

#define N 11

static const mb_section updown[2] = {
    {.kind = MB_SECTION_UP, .transaction = 1, .line = 8},
    {.kind = MB_SECTION_DOWN, .transaction = 1, .line = 10},
};

static const char *const p_a1[] = {"a1"}, *const p_a2[] = {"a2"};
static const char *const p_b1[] = {"b1"}, *const p_c1[] = {"c1"};
static const char *const p_m1[] = {"b2", "c2"}, *const p_d1[] = {"d1"};
static const char *const p_e1[] = {"e1"}, *const p_m1d[] = {"m1"};
static const char *const l_trunk[] = {"trunk"}, *const l_feat[] = {"feature"};
static const char *const l_other[] = {"other"};

#define REV(i, p, np, d, nd, l, nl, ns)                                   \
    {.id = i, .path = i ".sql", .message = i, .create_date = "",           \
     .revises = p, .n_revises = np, .depends_on = d, .n_depends_on = nd,  \
     .branch_labels = l, .n_branch_labels = nl, .id_line = 3,             \
     .revises_line = 4, .depends_line = 7, .labels_line = 6,              \
     .sections = updown, .n_sections = ns,                                \
     .checksum = "00000000000000000000000000000000"}

/* In path order; node i is revs[i]. */
static const mb_revision revs[N] = {
    REV("a1", NULL, 0, NULL, 0, NULL, 0, 2),
    REV("a2", p_a1, 1, NULL, 0, l_trunk, 1, 2),
    REV("b1", p_a2, 1, NULL, 0, NULL, 0, 2),
    REV("b2", p_b1, 1, NULL, 0, l_feat, 1, 2),
    REV("c1", p_a2, 1, NULL, 0, NULL, 0, 1), /* irreversible */
    REV("c2", p_c1, 1, p_b1, 1, NULL, 0, 2),
    REV("m1", p_m1, 2, NULL, 0, NULL, 0, 2),
    REV("d1", p_m1d, 1, NULL, 0, NULL, 0, 2),
    REV("e1", NULL, 0, NULL, 0, l_other, 1, 2),
    REV("e2", p_e1, 1, p_a2, 1, NULL, 0, 2),
    REV("a10", p_d1, 1, NULL, 0, NULL, 0, 2),
};

static mb_graph graph = MB_GRAPH_INIT;

static const mb_graph *the_graph(void)
{
    mb_error err = MB_ERROR_INIT;

    if (graph.n == 0)
        CHECK(mb_graph_build(&graph, revs, N, &err) == MB_OK);
    return &graph;
}

/* set |= ancestors of every node in set */
static void close_up(const mb_graph *g, unsigned char *set)
{
    mb_error err = MB_ERROR_INIT;
    unsigned char mark[N];
    size_t i;

    /* mark_ancestors does not walk from a node already marked */
    memset(mark, 0, sizeof mark);
    for (i = 0; i < g->n; i++)
        if (set[i])
            CHECK(mb_graph_mark_ancestors(g, i, mark, &err) == MB_OK);
    memcpy(set, mark, sizeof mark);
}

/* No node of set has a parent or dependency outside it. */
static int is_closed(const mb_graph *g, const unsigned char *set)
{
    size_t i, j;

    for (i = 0; i < g->n; i++) {
        const mb_node *nd = &g->nodes[i];

        if (!set[i])
            continue;
        for (j = 0; j < nd->n_parents; j++)
            if (!set[nd->parents[j]])
                return 0;
        for (j = 0; j < nd->n_deps; j++)
            if (!set[nd->deps[j]])
                return 0;
    }
    return 1;
}

static void check_nodes(const size_t *v, size_t n)
{
    size_t i, j;

    CHECK(n == 0 || v != NULL);
    for (i = 0; i < n; i++) {
        CHECK(v[i] < N);
        for (j = 0; j < i; j++)
            CHECK(v[i] != v[j]);
    }
}

static int is_relative(const char *spec)
{
    return spec[0] == '+' || spec[0] == '-';
}

static int is_name(const char *spec)
{
    return strcmp(spec, "base") == 0 || strcmp(spec, "head") == 0 ||
           strcmp(spec, "heads") == 0;
}

/* mb_graph_lookup() on its own. */
static void check_lookup(const mb_graph *g, const char *spec)
{
    mb_error err = MB_ERROR_INIT;
    size_t node = MB_NONE, exact = mb_graph_find(g, spec);
    int rc = mb_graph_lookup(&node, g, spec, &err);

    if (rc == MB_OK) {
        CHECK(node < g->n && spec[0] != '\0');
        CHECK(strncmp(g->nodes[node].rev->id, spec, strlen(spec)) == 0);
        CHECK(exact == MB_NONE || exact == node);
    } else {
        CHECK(rc == MB_ETARGET && err.code == MB_ETARGET);
        CHECK(err.msg[0] != '\0' && exact == MB_NONE);
        CHECK(err.hint[0] != '\0');
    }
}

/*
 * After going down to t: nothing is left applied above a target unless it
 * is below another target (base: nothing at all).
 */
static void check_below(const mb_graph *g, const mb_target *t,
                        const unsigned char *after)
{
    mb_error err = MB_ERROR_INIT;
    unsigned char below[N], above[N];
    size_t i;

    memset(below, 0, sizeof below);
    memset(above, 0, sizeof above);
    for (i = 0; i < t->n; i++) {
        CHECK(mb_graph_mark_ancestors(g, t->nodes[i], below, &err) ==
              MB_OK);
        CHECK(mb_graph_mark_descendants(g, t->nodes[i], above, &err) ==
              MB_OK);
    }
    for (i = 0; i < N; i++)
        CHECK(!after[i] || below[i] || (!t->base && !above[i]));
}

/* The plan for a resolved target, and the set it leaves. */
static void check_plan(const mb_graph *g, const unsigned char *applied,
                       int closed, const mb_target *t, int dir, int dialect)
{
    mb_plan p = MB_PLAN_INIT;
    mb_error err = MB_ERROR_INIT;
    unsigned char after[N];
    size_t i;
    int rc = mb_plan_make(&p, g, applied, t, dir, dialect, &err);

    if (rc != MB_OK) {
        CHECK(rc == MB_ETARGET && err.code == rc && err.msg[0] != '\0');
        CHECK(dir == MB_DOWN && p.steps == NULL && p.n == 0);
        return;
    }
    check_nodes(p.steps, p.n);
    memcpy(after, applied, N);
    for (i = 0; i < p.n; i++) {
        size_t v = p.steps[i];

        CHECK(applied[v] == (dir == MB_DOWN));
        CHECK(dir == MB_UP || mb_revision_reversible(g->nodes[v].rev,
                                                     dialect));
        after[v] = dir == MB_UP;
    }
    if (closed) {
        CHECK(is_closed(g, after));
        for (i = 0; i < t->n; i++) /* down keeps the targets as they are */
            CHECK(after[t->nodes[i]] ==
                  (dir == MB_UP || applied[t->nodes[i]]));
        if (dir == MB_DOWN)
            check_below(g, t, after);
    }
    mb_plan_free(&p);
}

static void check_target(const mb_graph *g, const unsigned char *applied,
                         int closed, const char *spec, int dir, int dialect)
{
    mb_target t = MB_TARGET_INIT;
    mb_error err = MB_ERROR_INIT;
    size_t i;
    int rc = mb_target_resolve(&t, g, applied, spec, dir, &err);

    if (rc != MB_OK) {
        CHECK(rc == MB_ETARGET && err.code == MB_ETARGET);
        CHECK(err.msg[0] != '\0');
        CHECK(t.nodes == NULL && t.n == 0 && !t.base);
        return;
    }
    CHECK(t.base == 0 || t.base == 1);
    if (t.base) {
        CHECK(t.n == 0 && t.nodes == NULL);
        CHECK(strcmp(spec, "base") == 0 || spec[0] == '-');
    } else {
        CHECK(t.n >= 1);
        check_nodes(t.nodes, t.n);
    }
    if (strcmp(spec, "heads") == 0) {
        CHECK(t.n == g->n_heads &&
              memcmp(t.nodes, g->heads, t.n * sizeof *t.nodes) == 0);
    } else if (!is_name(spec) && !is_relative(spec)) {
        size_t node = MB_NONE;

        CHECK(t.n == 1 && mb_graph_lookup(&node, g, spec, &err) == MB_OK);
        CHECK(node == t.nodes[0]);
        CHECK(dir == MB_UP || applied[node]);
    } else if (is_relative(spec) && closed) {
        CHECK((spec[0] == '+') == (dir == MB_UP));
        for (i = 0; i < t.n; i++)
            CHECK(applied[t.nodes[i]] == (dir == MB_DOWN));
    }
    check_plan(g, applied, closed, &t, dir, dialect);
    mb_target_free(&t);
    CHECK(t.nodes == NULL && t.n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dialects[4] = {MB_DIALECT_ANY, MB_DIALECT_POSTGRESQL,
                                    MB_DIALECT_SQLITE, MB_DIALECT_ANY};
    const mb_graph *g = the_graph();
    unsigned char applied[N];
    unsigned bits = 0;
    int closed, dialect;
    char *spec;
    size_t i;

    for (i = 0; i < 2 && i < size; i++)
        bits |= (unsigned)data[i] << (8 * i);
    dialect = dialects[size > 2 ? data[2] & 3 : 0];
    closed = !(bits & 0x8000u);
    for (i = 0; i < N; i++)
        applied[i] = (bits >> i) & 1;
    if (closed)
        close_up(g, applied);
    CHECK(closed ? is_closed(g, applied) : 1);
    spec = malloc(size > 3 ? size - 3 + 1 : 1);
    CHECK(spec != NULL);
    if (size > 3)
        memcpy(spec, data + 3, size - 3);
    spec[size > 3 ? size - 3 : 0] = '\0';
    check_lookup(g, spec);
    check_target(g, applied, closed, spec, MB_UP, dialect);
    check_target(g, applied, closed, spec, MB_DOWN, dialect);
    free(spec);
    return 0;
}

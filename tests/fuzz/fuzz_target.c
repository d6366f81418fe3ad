/*
 * fuzz_target.c -- libFuzzer harness for the target grammar:
 * mb_graph_lookup(), the plan made from a target, and mb_plan_stamp().
 *
 * Built and run by tests/fuzz/run.sh (ctest: fuzz.target), with the
 * dictionary target.dict; seeds in corpus/target/.
 *
 * fuzz-sources: runtime/plan.c runtime/graph.c runtime/revision.c
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
 * and the target is planned for up and for down, and stamped (with and
 * without --purge) on a closed set. Checked:
 *   - an id or prefix: mb_graph_lookup() finds a node whose id starts
 *     with the text, or fails with a message and a hint;
 *   - a plan: distinct valid steps, up only unapplied ones, down only
 *     applied and reversible ones; on a closed set the set after the plan
 *     is closed again, "up heads" applies everything, "down base" leaves
 *     nothing, "up base" does nothing;
 *   - a stamp: the set it leaves is closed; "stamp base" leaves nothing;
 *   - failure: MB_ETARGET with a message, and no steps returned.
 * Nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzhelp.h"
#include "mb/plan.h"
#include "mb/revision.h"

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

/* The plan for spec, checked as described above. */
static void check_target(const mb_graph *g, const unsigned char *applied,
                         int closed, const char *spec, int dir, int dialect)
{
    mb_plan p = MB_PLAN_INIT;
    mb_error err = MB_ERROR_INIT;
    unsigned char after[N];
    size_t i;
    int rc = mb_plan_make(&p, g, applied, spec, dir, dialect, &err);

    if (rc != MB_OK) {
        CHECK(rc == MB_ETARGET && err.code == rc && err.msg[0] != '\0');
        CHECK(p.steps == NULL && p.n == 0);
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
        if (strcmp(spec, "heads") == 0 && dir == MB_UP)
            for (i = 0; i < N; i++)
                CHECK(after[i]);
        if (strcmp(spec, "base") == 0 && dir == MB_DOWN)
            for (i = 0; i < N; i++)
                CHECK(!after[i]);
        if (strcmp(spec, "base") == 0 && dir == MB_UP)
            CHECK(p.n == 0);
    }
    mb_plan_free(&p);
}

/* stamp spec (and with --purge): a closed set, or a refusal. */
static void check_stamp(const mb_graph *g, const unsigned char *applied,
                        const char *spec, int purge)
{
    mb_error err = MB_ERROR_INIT;
    unsigned char result[N];
    const char *specs[1] = {spec};
    size_t i;
    int rc = mb_plan_stamp(result, g, applied, specs, 1, purge, &err);

    if (rc != MB_OK) {
        CHECK(rc == MB_ETARGET && err.code == rc && err.msg[0] != '\0');
        return;
    }
    CHECK(is_closed(g, result));
    if (strcmp(spec, "base") == 0)
        for (i = 0; i < N; i++)
            CHECK(!result[i]);
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
    if (closed) {
        check_stamp(g, applied, spec, 0);
        check_stamp(g, applied, spec, 1);
    }
    free(spec);
    return 0;
}

/*
 * test_graph.c -- building the revision DAG and its errors.
 */
#include <stdio.h>

#include "graphfix.h"
#include "mb/graph.h"
#include "testhelp.h"

static size_t idx(const mb_graph *g, const char *id)
{
    return mb_graph_find(g, id);
}

static void test_graph__linear_order_heads_bases(void)
{
    static fix f;
    mb_graph g;
    mb_error err = MB_ERROR_INIT;

    fix_add(&f, "c3", "b2", NULL, NULL); /* file order != graph order */
    fix_add(&f, "a1", NULL, NULL, NULL);
    fix_add(&f, "b2", "a1", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    CHECK_INT(g.n_heads, 1);
    CHECK_INT(g.heads[0], idx(&g, "c3"));
    CHECK_INT(g.n_bases, 1);
    CHECK_INT(g.bases[0], idx(&g, "a1"));
    CHECK_INT(g.order[0], idx(&g, "a1"));
    CHECK_INT(g.order[1], idx(&g, "b2"));
    CHECK_INT(g.order[2], idx(&g, "c3"));
    mb_graph_free(&g);
    fix_free(&f);
}

static void test_graph__branches_merge_and_depends(void)
{
    static fix f;
    mb_graph g;
    mb_error err = MB_ERROR_INIT;
    unsigned char mark[8] = {0};

    fix_add(&f, "base1", NULL, NULL, NULL);
    fix_add(&f, "left", "base1", NULL, "feature");
    fix_add(&f, "right", "base1", NULL, NULL);
    fix_add(&f, "merge", "left,right", NULL, NULL);
    fix_add(&f, "other", NULL, "left", "otherbranch");
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    /* heads: merge and other (a dependency is not a child) */
    CHECK_INT(g.n_heads, 2);
    CHECK_INT(g.n_bases, 2);
    CHECK_INT(g.nodes[idx(&g, "base1")].n_children, 2);
    CHECK_INT(g.nodes[idx(&g, "merge")].n_parents, 2);
    CHECK_INT(g.nodes[idx(&g, "left")].n_dependents, 1);
    CHECK(g.nodes[idx(&g, "left")].topo < g.nodes[idx(&g, "other")].topo);
    CHECK(g.nodes[idx(&g, "right")].topo < g.nodes[idx(&g, "merge")].topo);
    CHECK_INT(g.n_labels, 2);
    CHECK_INT(mb_graph_mark_ancestors(&g, idx(&g, "other"), mark, &err),
              MB_OK);
    CHECK(mark[idx(&g, "other")] && mark[idx(&g, "left")] &&
          mark[idx(&g, "base1")]);
    CHECK(!mark[idx(&g, "right")] && !mark[idx(&g, "merge")]);
    memset(mark, 0, sizeof mark);
    CHECK_INT(mb_graph_mark_descendants(&g, idx(&g, "right"), mark, &err),
              MB_OK);
    CHECK(mark[idx(&g, "right")] && mark[idx(&g, "merge")]);
    CHECK(!mark[idx(&g, "left")] && !mark[idx(&g, "other")]);
    mb_graph_free(&g);
    fix_free(&f);
}

static void test_graph__lookup_prefix(void)
{
    static fix f;
    mb_graph g;
    mb_error err = MB_ERROR_INIT;
    size_t out = MB_NONE;

    fix_add(&f, "abc123", NULL, NULL, NULL);
    fix_add(&f, "abd456", "abc123", NULL, NULL);
    fix_add(&f, "ab", "abd456", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    CHECK_INT(mb_graph_lookup(&out, &g, "abc", &err), MB_OK);
    CHECK_INT(out, idx(&g, "abc123"));
    CHECK_INT(mb_graph_lookup(&out, &g, "ab", &err), MB_OK); /* exact wins */
    CHECK_INT(out, idx(&g, "ab"));
    CHECK_INT(mb_graph_lookup(&out, &g, "abz", &err), MB_ETARGET);
    CHECK_HAS(err.msg, "unknown revision \"abz\"");
    fix_free(&f);
    mb_graph_free(&g);
    fix_add(&f, "abc123", NULL, NULL, NULL);
    fix_add(&f, "abd456", "abc123", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    CHECK_INT(mb_graph_lookup(&out, &g, "ab", &err), MB_ETARGET);
    CHECK_HAS(err.msg, "ambiguous");
    CHECK_HAS(err.detail, "abc123, abd456");
    CHECK_INT(mb_graph_lookup(&out, &g, "", &err), MB_ETARGET);
    mb_graph_free(&g);
    fix_free(&f);
}

static void expect_error(fix *f, const char *file, int line, const char *msg,
                         const char *hint)
{
    mb_graph g;
    mb_error err = MB_ERROR_INIT;

    CHECK_INT(mb_graph_build(&g, f->revs, f->n, &err), MB_EGRAPH);
    CHECK_STR(err.file, file);
    CHECK_INT(err.line, line);
    CHECK_HAS(err.msg, msg);
    CHECK_HAS(err.hint, hint);
    CHECK(g.nodes == NULL); /* nothing left to free */
    fix_free(f);
}

static void test_graph__errors(void)
{
    static fix f;

    fix_add(&f, "a", NULL, NULL, NULL);
    fix_add(&f, "a", NULL, NULL, NULL);
    f.revs[1].path = "z_a.sql";
    expect_error(&f, "z_a.sql", 3, "duplicate revision id \"a\"",
                 "its own Revision ID");

    fix_add(&f, "a", "nope", NULL, NULL);
    expect_error(&f, "a.sql", 4, "unknown parent revision \"nope\"",
                 "full Revision ID");

    fix_add(&f, "a", "None", NULL, NULL);
    expect_error(&f, "a.sql", 4, "unknown parent revision \"None\"",
                 "base revision leaves the key empty");

    fix_add(&f, "a", NULL, "ghost", NULL);
    expect_error(&f, "a.sql", 7, "unknown dependency revision \"ghost\"",
                 "full Revision ID");

    fix_add(&f, "a", "c", NULL, NULL);
    fix_add(&f, "b", "a", NULL, NULL);
    fix_add(&f, "c", "b", NULL, NULL);
    fix_add(&f, "d", NULL, NULL, NULL);
    expect_error(&f, "a.sql", 4, "cycle", "break the cycle");

    fix_add(&f, "a", NULL, "b", NULL); /* cycle through Depends On */
    fix_add(&f, "b", "a", NULL, NULL);
    expect_error(&f, "a.sql", 4, "cycle", "older revisions");

    fix_add(&f, "a", NULL, NULL, "x");
    fix_add(&f, "b", "a", NULL, "x");
    expect_error(&f, "b.sql", 6, "branch label \"x\" is declared twice",
                 "its own label");

    fix_add(&f, "a", NULL, NULL, "b");
    fix_add(&f, "b", "a", NULL, NULL);
    expect_error(&f, "a.sql", 6, "branch label \"b\" is also a revision id",
                 "choose a label");
}

static void test_graph__cycle_detail_names_the_loop(void)
{
    static fix f;
    mb_graph g;
    mb_error err = MB_ERROR_INIT;

    fix_add(&f, "a", "c", NULL, NULL);
    fix_add(&f, "b", "a", NULL, NULL);
    fix_add(&f, "c", "b", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_EGRAPH);
    CHECK_HAS(err.detail, "a -> c -> b -> a");
    fix_free(&f);
}

static void test_graph__many_nodes_iterative(void)
{
    static fix f;
    static mb_revision big[5000];
    static char ids[5000][8];
    static const char *parents[5000];
    mb_graph g;
    mb_error err = MB_ERROR_INIT;
    unsigned char *mark = calloc(5000, 1);
    size_t i;

    (void)f;
    for (i = 0; i < 5000; i++) {
        snprintf(ids[i], sizeof ids[i], "r%zu", i);
        big[i].id = ids[i];
        big[i].path = ids[i];
        big[i].checksum = "x";
        if (i > 0) {
            parents[i] = ids[i - 1];
            big[i].revises = &parents[i];
            big[i].n_revises = 1;
        }
    }
    CHECK_INT(mb_graph_build(&g, big, 5000, &err), MB_OK);
    CHECK_INT(g.n_heads, 1);
    CHECK_INT(mb_graph_mark_ancestors(&g, g.heads[0], mark, &err), MB_OK);
    CHECK(mark[0] && mark[4999]);
    free(mark);
    mb_graph_free(&g);
}

static const mb_test tests[] = {
    MB_T(test_graph__linear_order_heads_bases),
    MB_T(test_graph__branches_merge_and_depends),
    MB_T(test_graph__lookup_prefix),
    MB_T(test_graph__errors),
    MB_T(test_graph__cycle_detail_names_the_loop),
    MB_T(test_graph__many_nodes_iterative),
};

MB_TEST_MAIN(tests)

/*
 * test_plan.c -- target resolution and up/down plans.
 */
#include <stdio.h>

#include "graphfix.h"
#include "mb/plan.h"
#include "testhelp.h"

static fix f;
static mb_graph g;
static unsigned char applied[FIX_MAX];

/* a1 <- b2 <- c3 <- d4 */
static void linear(void)
{
    mb_error err = MB_ERROR_INIT;

    fix_free(&f);
    fix_add(&f, "a1", NULL, NULL, NULL);
    fix_add(&f, "b2", "a1", NULL, NULL);
    fix_add(&f, "c3", "b2", NULL, NULL);
    fix_add(&f, "d4", "c3", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    memset(applied, 0, sizeof applied);
}

/*        +- left --+
 * root --+         +- merge      side (depends on left)
 *        +- right -+
 */
static void branched(void)
{
    mb_error err = MB_ERROR_INIT;

    fix_free(&f);
    fix_add(&f, "root", NULL, NULL, NULL);
    fix_add(&f, "left", "root", NULL, NULL);
    fix_add(&f, "right", "root", NULL, NULL);
    fix_add(&f, "merge", "left,right", NULL, NULL);
    fix_add(&f, "side", NULL, "left", NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    memset(applied, 0, sizeof applied);
}

static void done(void)
{
    mb_graph_free(&g);
    fix_free(&f);
}

static void apply_ids(const char *ids)
{
    char buf[256];
    char *tok, *save;

    snprintf(buf, sizeof buf, "%s", ids);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        applied[mb_graph_find(&g, tok)] = 1;
}

/* Plan for spec and compare with the comma-joined step ids. */
static void expect_plan(const char *spec, int dir, const char *want)
{
    mb_target t = MB_TARGET_INIT;
    mb_plan p = MB_PLAN_INIT;
    mb_error err = MB_ERROR_INIT;
    char got[256] = "";
    size_t i;

    CHECK_INT(mb_target_resolve(&t, &g, applied, spec, dir, &err), MB_OK);
    if (err.msg[0])
        fprintf(stderr, "  resolve %s: %s\n", spec, err.msg);
    CHECK_INT(mb_plan_make(&p, &g, applied, &t, dir, MB_DIALECT_SQLITE,
                           &err), MB_OK);
    for (i = 0; i < p.n; i++) {
        size_t used = strlen(got);
        snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "",
                 g.nodes[p.steps[i]].rev->id);
    }
    CHECK_STR(got, want);
    mb_plan_free(&p);
    mb_target_free(&t);
}

static void expect_target_error(const char *spec, int dir, const char *msg)
{
    mb_target t = MB_TARGET_INIT;
    mb_error err = MB_ERROR_INIT;

    CHECK_INT(mb_target_resolve(&t, &g, applied, spec, dir, &err),
              MB_ETARGET);
    CHECK_HAS(err.msg, msg);
    mb_target_free(&t);
}

static void test_plan__linear_up(void)
{
    linear();
    expect_plan("heads", MB_UP, "a1,b2,c3,d4");
    expect_plan("head", MB_UP, "a1,b2,c3,d4");
    expect_plan("b2", MB_UP, "a1,b2");
    expect_plan("c", MB_UP, "a1,b2,c3"); /* unique prefix */
    expect_plan("+1", MB_UP, "a1");
    expect_plan("+3", MB_UP, "a1,b2,c3");
    expect_plan("base", MB_UP, "");
    apply_ids("a1,b2");
    expect_plan("heads", MB_UP, "c3,d4");
    expect_plan("+1", MB_UP, "c3");
    expect_plan("+2", MB_UP, "c3,d4");
    expect_plan("a1", MB_UP, ""); /* already applied */
    expect_target_error("+3", MB_UP, "beyond the head: only 2 steps");
    expect_target_error("-1", MB_UP, "cannot be used with up");
    expect_target_error("+0", MB_UP, "invalid relative target");
    expect_target_error("+x", MB_UP, "invalid relative target");
    expect_target_error("zz", MB_UP, "unknown revision");
    done();
}

static void test_plan__linear_down(void)
{
    linear();
    apply_ids("a1,b2,c3,d4");
    expect_plan("-1", MB_DOWN, "d4");
    expect_plan("-3", MB_DOWN, "d4,c3,b2");
    expect_plan("-4", MB_DOWN, "d4,c3,b2,a1"); /* exactly off base */
    expect_plan("b2", MB_DOWN, "d4,c3");
    expect_plan("base", MB_DOWN, "d4,c3,b2,a1");
    expect_plan("heads", MB_DOWN, "");
    expect_target_error("-5", MB_DOWN, "goes below base");
    expect_target_error("+1", MB_DOWN, "cannot be used with down");
    memset(applied, 0, sizeof applied);
    apply_ids("a1,b2");
    expect_target_error("c3", MB_DOWN, "revision c3 is not applied");
    memset(applied, 0, sizeof applied);
    expect_target_error("-1", MB_DOWN, "nothing is applied");
    expect_plan("base", MB_DOWN, "");
    done();
}

static void test_plan__irreversible_refused(void)
{
    mb_target t = MB_TARGET_INIT;
    mb_plan p = MB_PLAN_INIT;
    mb_error err = MB_ERROR_INIT;

    fix_free(&f);
    fix_add(&f, "a1", NULL, NULL, NULL);
    fix_irreversible(fix_add(&f, "b2", "a1", NULL, NULL));
    fix_add(&f, "c3", "b2", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    memset(applied, 0, sizeof applied);
    apply_ids("a1,b2,c3");
    expect_plan("-1", MB_DOWN, "c3");
    CHECK_INT(mb_target_resolve(&t, &g, applied, "base", MB_DOWN, &err),
              MB_OK);
    CHECK_INT(mb_plan_make(&p, &g, applied, &t, MB_DOWN, MB_DIALECT_SQLITE,
                           &err), MB_ETARGET);
    CHECK_HAS(err.msg, "revision b2 is irreversible");
    CHECK_STR(err.file, "b2.sql");
    CHECK(p.steps == NULL && p.n == 0);
    mb_target_free(&t);
    done();
}

static void test_plan__branches(void)
{
    size_t *heads = NULL, n = 0;
    mb_error err = MB_ERROR_INIT;

    branched();
    expect_target_error("head", MB_UP, "\"head\" is ambiguous");
    expect_plan("heads", MB_UP, "root,left,right,merge,side");
    expect_plan("side", MB_UP, "root,left,side");  /* depends pulls left */
    expect_plan("merge", MB_UP, "root,left,right,merge");
    expect_target_error("+1", MB_UP, "the graph has 2 bases");
    apply_ids("root");
    expect_target_error("+1", MB_UP, "ambiguous at revision root");
    apply_ids("left,right,merge,side");
    CHECK_INT(mb_applied_heads(&heads, &n, &g, applied, &err), MB_OK);
    CHECK_INT(n, 2); /* merge and side; left is reached by both */
    free(heads);
    expect_target_error("-1", MB_DOWN, "2 applied heads");
    /* down to left removes what depends on or descends from it only */
    expect_plan("left", MB_DOWN, "side,merge");
    expect_plan("root", MB_DOWN, "side,merge,right,left");
    memset(applied, 0, sizeof applied);
    apply_ids("root,left,right,merge");
    expect_target_error("-2", MB_DOWN, "ambiguous at revision merge");
    expect_plan("-1", MB_DOWN, "merge");
    done();
}

static const mb_test tests[] = {
    MB_T(test_plan__linear_up),
    MB_T(test_plan__linear_down),
    MB_T(test_plan__irreversible_refused),
    MB_T(test_plan__branches),
};

MB_TEST_MAIN(tests)

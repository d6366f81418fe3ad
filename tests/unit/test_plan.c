/*
 * test_plan.c -- target resolution, up/down plans, stamp, history ranges
 * and branch labels.
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
    mb_plan p = MB_PLAN_INIT;
    mb_error err = MB_ERROR_INIT;
    char got[256] = "";
    size_t i;

    CHECK_INT(mb_plan_make(&p, &g, applied, spec, dir, MB_DIALECT_SQLITE,
                           &err), MB_OK);
    if (err.msg[0])
        fprintf(stderr, "  plan %s: %s\n", spec, err.msg);
    for (i = 0; i < p.n; i++) {
        size_t used = strlen(got);
        snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "",
                 g.nodes[p.steps[i]].rev->id);
    }
    CHECK_STR(got, want);
    mb_plan_free(&p);
}

static void expect_target_error(const char *spec, int dir, const char *msg)
{
    mb_plan p = MB_PLAN_INIT;
    mb_error err = MB_ERROR_INIT;

    CHECK_INT(mb_plan_make(&p, &g, applied, spec, dir, MB_DIALECT_SQLITE,
                           &err), MB_ETARGET);
    CHECK_HAS(err.msg, msg);
    CHECK(p.steps == NULL && p.n == 0);
}

/* Stamp specs (comma-separated) and compare the applied set left. */
static void expect_stamp(const char *specs, int purge, const char *want)
{
    mb_error err = MB_ERROR_INIT;
    unsigned char result[FIX_MAX];
    const char *v[8];
    char buf[256], got[256] = "", *tok, *save;
    size_t n = 0, i;

    snprintf(buf, sizeof buf, "%s", specs);
    for (tok = strtok_r(buf, ",", &save); tok && n < 8;
         tok = strtok_r(NULL, ",", &save))
        v[n++] = tok;
    CHECK_INT(mb_plan_stamp(result, &g, applied, v, n, purge, &err), MB_OK);
    if (err.msg[0])
        fprintf(stderr, "  stamp %s: %s\n", specs, err.msg);
    for (i = 0; i < g.n; i++) {
        size_t used = strlen(got);
        if (result[i])
            snprintf(got + used, sizeof got - used, "%s%s",
                     got[0] ? "," : "", g.nodes[i].rev->id);
    }
    CHECK_STR(got, want);
}

static void test_plan__linear_up(void)
{
    linear();
    expect_plan("heads", MB_UP, "a1,b2,c3,d4");
    expect_plan("head", MB_UP, "a1,b2,c3,d4");
    expect_plan("b2", MB_UP, "a1,b2");
    expect_plan("+1", MB_UP, "a1");
    expect_plan("+3", MB_UP, "a1,b2,c3");
    expect_plan("b2+1", MB_UP, "a1,b2,c3");
    expect_plan("d4-2", MB_UP, "a1,b2");
    expect_plan("base", MB_UP, "");
    apply_ids("a1,b2");
    expect_plan("heads", MB_UP, "c3,d4");
    expect_plan("+1", MB_UP, "c3");
    expect_plan("+2", MB_UP, "c3,d4");
    expect_plan("a1", MB_UP, ""); /* already applied */
    expect_target_error("+3", MB_UP, "beyond the head");
    expect_target_error("-1", MB_UP, "cannot be used with up");
    expect_target_error("+0", MB_UP, "cannot be used with up");
    expect_target_error("a1-1", MB_UP, "below base");
    expect_target_error("zz", MB_UP, "no such revision or branch");
    done();
}

static void test_plan__prefixes(void)
{
    mb_error err = MB_ERROR_INIT;

    fix_free(&f);
    fix_add(&f, "abcd1", NULL, NULL, NULL);
    fix_add(&f, "abcd2", "abcd1", NULL, "users");
    fix_add(&f, "xyz", "abcd2", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    memset(applied, 0, sizeof applied);
    expect_plan("abcd1", MB_UP, "abcd1");
    expect_plan("xyz", MB_UP, "abcd1,abcd2,xyz");   /* whole id */
    expect_plan("use", MB_UP, "abcd1,abcd2");       /* label prefix */
    expect_plan("users@abcd1", MB_UP, "abcd1");
    expect_target_error("ab", MB_UP, "\"ab\" is ambiguous");
    expect_target_error("xy", MB_UP, "no such revision or branch \"xy\"");
    expect_target_error("nobody@head", MB_UP, "no such revision or branch \"nobody\"");
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
    expect_plan("c3-1", MB_DOWN, "d4,c3");
    expect_plan("a1+1", MB_DOWN, "d4,c3");
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
    CHECK_INT(mb_plan_make(&p, &g, applied, "base", MB_DOWN,
                           MB_DIALECT_SQLITE, &err), MB_ETARGET);
    CHECK_HAS(err.msg, "revision b2 is irreversible");
    CHECK_STR(err.file, "b2.sql");
    CHECK(p.steps == NULL && p.n == 0);
    done();
}

static void test_plan__branches(void)
{
    size_t *heads = NULL, n = 0;
    mb_error err = MB_ERROR_INIT;

    branched();
    expect_target_error("head", MB_UP, "\"head\" is ambiguous");
    expect_plan("heads", MB_UP, "root,right,left,side,merge");
    expect_plan("side", MB_UP, "root,left,side");  /* depends pulls left */
    expect_plan("merge", MB_UP, "root,right,left,merge");
    expect_target_error("+1", MB_UP, "going up from base leads to");
    apply_ids("root");
    expect_target_error("+1", MB_UP, "going up from root leads to");
    apply_ids("left,right,merge,side");
    CHECK_INT(mb_applied_heads(&heads, &n, &g, applied, &err), MB_OK);
    CHECK_INT(n, 2); /* merge and side; left is reached by both */
    free(heads);
    expect_target_error("-1", MB_DOWN, "2 applied heads");
    /* down to left rolls back what Revises it, not what depends on it */
    expect_plan("left", MB_DOWN, "merge");
    expect_plan("root", MB_DOWN, "merge,side,left,right");
    memset(applied, 0, sizeof applied);
    apply_ids("root,left,right,merge");
    expect_target_error("-1", MB_DOWN, "going down from merge leads to");
    expect_plan("left", MB_DOWN, "merge");
    done();
}

/* Orders taken from Alembic 1.8.1's RevisionMap on the same graphs. */
static void test_plan__alembic_order(void)
{
    mb_error err = MB_ERROR_INIT;

    fix_free(&f);
    fix_add(&f, "b1", "r", NULL, NULL);
    fix_add(&f, "b2", "b1", NULL, NULL);
    fix_add(&f, "c1", "r", NULL, NULL);
    fix_add(&f, "d1", "r", NULL, NULL);
    fix_add(&f, "d2", "d1", NULL, NULL);
    fix_add(&f, "m", "b2,c1,d2", NULL, NULL);
    fix_add(&f, "r", NULL, NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    memset(applied, 0, sizeof applied);
    expect_plan("m", MB_UP, "r,d1,d2,c1,b1,b2,m");
    done();
    fix_add(&f, "x1", NULL, NULL, NULL);
    fix_add(&f, "x2", "x1", NULL, NULL);
    fix_add(&f, "x3", "x2", NULL, NULL);
    fix_add(&f, "y1", NULL, NULL, NULL);
    fix_add(&f, "y2", "y1", "x2", NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    memset(applied, 0, sizeof applied);
    apply_ids("x1,x2,x3,y1,y2");
    expect_plan("x2", MB_DOWN, "x3");
    expect_plan("x1", MB_DOWN, "x3,y2,x2");
    done();
}

static void test_plan__stamp(void)
{
    linear();
    expect_stamp("c3", 0, "a1,b2,c3");
    apply_ids("a1,b2,c3");
    expect_stamp("a1", 0, "a1");     /* stamping down */
    expect_stamp("d4", 0, "a1,b2,c3,d4");
    expect_stamp("base", 0, "");
    expect_stamp("b2", 1, "a1,b2");  /* --purge */
    done();
    branched();
    apply_ids("root,left");
    expect_stamp("right", 0, "root,left,right"); /* a new branch */
    expect_stamp("merge", 0, "root,left,right,merge");
    expect_stamp("left,right", 1, "root,left,right");
    done();
}


/* The ids of v[0..n), comma-joined, into got. */
static void join_ids(char *got, size_t size, const size_t *v, size_t n)
{
    size_t i;

    got[0] = '\0';
    for (i = 0; i < n; i++) {
        size_t used = strlen(got);
        snprintf(got + used, size - used, "%s%s", i ? "," : "",
                 g.nodes[v[i]].rev->id);
    }
}

/* history -r lower:upper, newest first; want NULL: an MB_ETARGET whose
 * message contains msg. */
static void expect_range(const char *lower, const char *upper,
                         const unsigned char *state, const char *want,
                         const char *msg)
{
    mb_error err = MB_ERROR_INIT;
    size_t *out = NULL, n = 0;
    char got[256];

    if (want == NULL) {
        CHECK_INT(mb_plan_range(&out, &n, &g, state, lower, upper, &err),
                  MB_ETARGET);
        CHECK_HAS(err.msg, msg);
        CHECK(out == NULL && n == 0);
        return;
    }
    CHECK_INT(mb_plan_range(&out, &n, &g, state, lower, upper, &err), MB_OK);
    if (err.msg[0])
        fprintf(stderr, "  range %s:%s: %s\n", lower, upper, err.msg);
    join_ids(got, sizeof got, out, n);
    CHECK_STR(got, want);
    free(out);
}

/* Alembic's history -r on the same graphs (alembic/script/base.py
 * walk_revisions), newest first. */
/* RANGE's two ends; what is not one colon is refused, naming it. */
static void test_plan__range_parse(void)
{
    mb_error err = MB_ERROR_INIT;
    mb_range r;
    char lng[300];

    CHECK_INT(mb_range_parse(&r, NULL, &err), MB_OK);
    CHECK(r.lower == NULL && r.upper == NULL);
    CHECK_INT(mb_range_uses_current(&r), 0);
    CHECK_INT(mb_range_parse(&r, "a1:current", &err), MB_OK);
    CHECK_STR(r.lower, "a1");
    CHECK_STR(r.upper, "current");
    CHECK_INT(mb_range_uses_current(&r), 1);
    CHECK_INT(mb_range_parse(&r, ":", &err), MB_OK);
    CHECK_STR(r.lower, "");
    CHECK_STR(r.upper, "");
    CHECK_INT(mb_range_parse(&r, "a1", &err), MB_EUSAGE);
    CHECK_STR(err.msg, "invalid range \"a1\": give START:END, START: or "
              ":END");
    CHECK_INT(mb_range_parse(&r, "a:b:c", &err), MB_EUSAGE);
    memset(lng, 'a', sizeof lng - 1);
    lng[sizeof lng - 1] = '\0';
    lng[3] = ':';
    CHECK_INT(mb_range_parse(&r, lng, &err), MB_EUSAGE);
    CHECK_STR(err.msg, "invalid range: longer than 255 characters");
}

static void test_plan__range(void)
{
    linear();
    expect_range(NULL, NULL, NULL, "d4,c3,b2,a1", NULL);
    expect_range("b2", "", NULL, "d4,c3,b2", NULL);
    expect_range("", "b2", NULL, "b2,a1", NULL);
    expect_range("b2", "c3", NULL, "c3,b2", NULL);
    expect_range("-2", NULL, NULL, "d4,c3,b2", NULL);
    expect_range("a1", "+2", NULL, "c3,b2,a1", NULL);
    expect_range("b2", "+9", NULL, "d4,c3,b2", NULL); /* stops at the end */
    expect_range(NULL, "c3-1", NULL, "b2,a1", NULL);
    expect_range("base", "base", NULL, "", NULL);
    expect_range("c3", "b2", NULL, NULL, "does not refer to ancestor");
    expect_range("-5", NULL, NULL, NULL, "goes below base");
    expect_range(NULL, "-1", NULL, NULL, "cannot be the upper end");
    expect_range("zz99", NULL, NULL, NULL, "no such revision");
    expect_range("current", NULL, NULL, NULL, "needs the database");
    apply_ids("a1,b2");
    expect_range("current", NULL, applied, "d4,c3,b2", NULL);
    expect_range(NULL, "current", applied, "b2,a1", NULL);
    memset(applied, 0, sizeof applied);
    /* nothing applied: Alembic's "current" upper end falls back to heads */
    expect_range(NULL, "current", applied, "d4,c3,b2,a1", NULL);
    done();
    branched();
    /* the walk "up heads" runs, reversed */
    expect_plan("heads", MB_UP, "root,right,left,side,merge");
    expect_range(NULL, NULL, NULL, "merge,side,left,right,root", NULL);
    /* through Revises only: side depends on left, it is not above it */
    expect_range("left", NULL, NULL, "merge,left", NULL);
    expect_range("-1", NULL, NULL, NULL, "going down from merge leads to");
    expect_range("left", "right", NULL, NULL, "does not refer");
    expect_range("root", "+1", NULL, NULL, "going up from root leads to");
    expect_range("heads", "+1", NULL, NULL, "the lower end \"heads\" names "
                 "2 revisions");
    done();
}

/* Alembic's branch labels: a label goes up to every descendant, and down
 * a plain line to the first branch or merge point. */
static void test_plan__label_members(void)
{
    mb_error err = MB_ERROR_INIT;
    unsigned char mark[FIX_MAX];
    char got[256] = "";
    size_t i;

    fix_free(&f);
    fix_add(&f, "a1", NULL, NULL, NULL);
    fix_add(&f, "b2", "a1", NULL, "lab");
    fix_add(&f, "c3", "b2", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    CHECK_INT(mb_plan_label_members(mark, &g, 0, &err), MB_OK);
    CHECK(mark[0] && mark[1] && mark[2]); /* a plain line: all of it */
    done();
    fix_add(&f, "a1", NULL, NULL, NULL);
    fix_add(&f, "b2", "a1", NULL, "lab");
    fix_add(&f, "c3", "b2", NULL, NULL);
    fix_add(&f, "d4", "b2", NULL, NULL);
    fix_add(&f, "e5", "c3,d4", NULL, NULL);
    CHECK_INT(mb_graph_build(&g, f.revs, f.n, &err), MB_OK);
    CHECK_INT(mb_plan_label_members(mark, &g, 0, &err), MB_OK);
    for (i = 0; i < g.n; i++) {
        size_t used = strlen(got);
        if (mark[i])
            snprintf(got + used, sizeof got - used, "%s%s", got[0] ? "," : "",
                     g.nodes[i].rev->id);
    }
    CHECK_STR(got, "b2,c3,d4,e5"); /* b2 branches: a1 stays unlabelled */
    done();
}

static const mb_test tests[] = {
    MB_T(test_plan__linear_up),
    MB_T(test_plan__prefixes),
    MB_T(test_plan__linear_down),
    MB_T(test_plan__irreversible_refused),
    MB_T(test_plan__branches),
    MB_T(test_plan__alembic_order),
    MB_T(test_plan__stamp),
    MB_T(test_plan__range_parse),
    MB_T(test_plan__range),
    MB_T(test_plan__label_members),
};

MB_TEST_MAIN(tests)

/*
 * test_pgjson.c -- the JSON reader of libpg_query's parse trees
 * (bundler/pgjson.c): values and lookups, string escapes to UTF-8, the
 * pre-order walk, nesting deeper than any recursion would survive, and
 * every malformed input it refuses.
 */
#include <stdlib.h>
#include <string.h>

#include "pgjson.h"
#include "testhelp.h"

/* Parse text; 1 when it parsed, the root in *out (arena owned by a). */
static int parse(mb_arena *a, const char *text, const mb_pgjson **out)
{
    mb_error err = MB_ERROR_INIT;
    mb_pgjson *root = NULL;
    int rc = mb_pgjson_parse(&root, a, text, strlen(text), &err);

    *out = root;
    return rc == MB_OK;
}

static void test_pgjson__values(void)
{
    mb_arena a = MB_ARENA_INIT;
    const mb_pgjson *r, *stmts;

    CHECK(parse(&a, " {\"version\": 150001, \"stmts\": [{\"stmt\": "
                "{\"IndexStmt\": {\"idxname\": \"ix\", \"concurrent\": "
                "true, \"unique\": false, \"x\": null}}}], \"e\": {}, "
                "\"f\": []}\n", &r));
    CHECK(r->type == MB_PGJSON_OBJECT);
    CHECK_STR(mb_pgjson_get(r, "version")->str, "150001");
    CHECK(mb_pgjson_get(r, "version")->type == MB_PGJSON_NUMBER);
    stmts = mb_pgjson_get(r, "stmts");
    CHECK(stmts->type == MB_PGJSON_ARRAY && stmts->child != NULL &&
          stmts->child->next == NULL);
    r = mb_pgjson_get(mb_pgjson_get(stmts->child, "stmt"), "IndexStmt");
    CHECK_STR(mb_pgjson_str(r, "idxname"), "ix");
    CHECK(mb_pgjson_true(r, "concurrent"));
    CHECK(!mb_pgjson_true(r, "unique"));
    CHECK(!mb_pgjson_true(r, "absent"));
    CHECK(mb_pgjson_get(r, "x")->type == MB_PGJSON_NULL);
    CHECK(mb_pgjson_str(r, "concurrent") == NULL);
    CHECK(mb_pgjson_get(NULL, "x") == NULL);
    CHECK(mb_pgjson_get(stmts, "x") == NULL); /* an array has no members */
    mb_arena_free(&a);
}

static void test_pgjson__escapes(void)
{
    mb_arena a = MB_ARENA_INIT;
    const mb_pgjson *r;

    CHECK(parse(&a, "[\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\", "
                "\"\\u00e9\\u20ac\\ud83d\\ude00\", \"\"]", &r));
    CHECK_STR(r->child->str, "a\"b\\c/d\n\t\r\b\f");
    CHECK_STR(r->child->next->str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    CHECK_STR(r->child->next->next->str, "");
    mb_arena_free(&a);
}

static void test_pgjson__walk(void)
{
    mb_arena a = MB_ARENA_INIT;
    const mb_pgjson *r, *n, *sub;
    char order[16];
    size_t k = 0;

    /* pre-order: a, b, c, d, e; a subtree walk stays inside it */
    CHECK(parse(&a, "{\"a\": {\"b\": [1, {\"c\": 2}]}, \"d\": 3, "
                "\"e\": 4}", &r));
    for (n = mb_pgjson_walk(r, NULL); n != NULL && k < sizeof order - 1;
         n = mb_pgjson_walk(r, n))
        order[k++] = n->key != NULL ? n->key[0] : '.';
    order[k] = '\0';
    CHECK_STR(order, ".ab..cde"); /* root, a, b, 1, {c}, c, d, e */
    sub = mb_pgjson_get(r, "a");
    k = 0;
    for (n = mb_pgjson_walk(sub, NULL); n != NULL; n = mb_pgjson_walk(sub, n))
        k++;
    CHECK_INT(k, 5); /* a, b, 1, {...}, c */
    mb_arena_free(&a);
}

static void test_pgjson__deep(void)
{
    enum { DEPTH = 200000 };
    mb_arena a = MB_ARENA_INIT;
    char *text = malloc(2 * DEPTH + 2);
    const mb_pgjson *r, *n;
    size_t depth = 0;

    CHECK(text != NULL);
    if (text == NULL)
        return;
    memset(text, '[', DEPTH);
    text[DEPTH] = '1';
    memset(text + DEPTH + 1, ']', DEPTH);
    text[2 * DEPTH + 1] = '\0';
    CHECK(parse(&a, text, &r));
    for (n = r; n != NULL && n->child != NULL; n = n->child)
        depth++;
    CHECK_INT(depth, DEPTH);
    CHECK_STR(n->str, "1");
    text[2 * DEPTH] = ' '; /* one bracket short */
    CHECK(!parse(&a, text, &r));
    free(text);
    mb_arena_free(&a);
}

static void test_pgjson__malformed(void)
{
    static const char *const bad[] = {
        "", "   ", "{", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\": }",
        "{1: 2}", "{\"a\": 1,}", "\"open", "\"\\x\"", "\"\\u12\"",
        "\"\\ud83d\"", "\"\\ude00\"", "\"a\nb\"", "[1] [2]", "tru", "-",
        "[}", "{]", "@",
    };
    mb_arena a = MB_ARENA_INIT;
    mb_error err = MB_ERROR_INIT;
    mb_pgjson *root;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mb_pgjson_parse(&root, &a, bad[i], strlen(bad[i]), &err);

        if (rc != MB_EPARSE || root != NULL)
            printf("accepted: %s\n", bad[i]);
        CHECK(rc == MB_EPARSE && root == NULL);
        CHECK_HAS(err.msg, "libpg_query's JSON: ");
    }
    mb_arena_free(&a);
}

static const mb_test tests[] = {
    MB_T(test_pgjson__values),
    MB_T(test_pgjson__escapes),
    MB_T(test_pgjson__walk),
    MB_T(test_pgjson__deep),
    MB_T(test_pgjson__malformed),
};

MB_TEST_MAIN(tests)

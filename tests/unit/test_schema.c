/*
 * test_schema.c -- schema snapshots of a real in-memory SQLite database,
 * their canonical text, and the differences between two.
 *
 * (PostgreSQL's catalog queries run in tests/cli/bundler_stairway.sh
 * against the fixture server.)
 */
#include <stdlib.h>
#include <string.h>

#include "mb/backend.h"
#include "mb/schema.h"
#include "testhelp.h"

static mb_conn *open_memory(void)
{
    mb_connect_opts o = {0, 5.0, 0.0, "test_schema", {NULL, NULL}};
    mb_error err = MB_ERROR_INIT;
    mb_conn *c = NULL;

    CHECK(mb_backend_sqlite.connect(&c, "sqlite::memory:", &o, &err) ==
          MB_OK);
    return c;
}

static void exec(mb_conn *c, const char *sql)
{
    mb_error err = MB_ERROR_INIT;

    CHECK(mb_backend_sqlite.query(c, sql, 0, NULL, NULL, &err) == MB_OK);
    if (err.msg[0] != '\0')
        fprintf(stderr, "%s: %s\n", sql, err.msg);
}

/* The canonical text of c's schema, skipping skip (may be NULL). */
static char *text_of(mb_conn *c, const char *skip)
{
    mb_schema s = MB_SCHEMA_INIT;
    mb_buf b = MB_BUF_INIT;
    mb_error err = MB_ERROR_INIT;
    const char *const list[] = {skip};

    CHECK(mb_schema_snapshot(&s, &mb_backend_sqlite, c, list,
                             skip ? 1 : 0, &err) == MB_OK);
    CHECK(mb_schema_text(&b, &s, &err) == MB_OK);
    mb_schema_free(&s);
    return mb_buf_take(&b, NULL);
}

static void test_schema__sqlite_text(void)
{
    mb_conn *c = open_memory();
    char *t;

    t = text_of(c, NULL);
    CHECK_STR(t, "");
    free(t);
    exec(c, "CREATE TABLE users (id INTEGER PRIMARY KEY,\n"
            "  email   text NOT NULL UNIQUE, role VARCHAR(50) DEFAULT "
            "'member')");
    exec(c, "CREATE TABLE tasks (id INTEGER PRIMARY KEY, user_id INTEGER "
            "REFERENCES users (id) ON DELETE CASCADE)");
    exec(c, "CREATE INDEX ix_users_role\n\tON users (role)");
    exec(c, "CREATE VIEW v AS SELECT   id FROM users");
    t = text_of(c, NULL);
    CHECK_STR(t,
              "column tasks.id: INTEGER PRIMARY KEY 1\n"
              "column tasks.user_id: INTEGER\n"
              "column users.email: TEXT NOT NULL\n"
              "column users.id: INTEGER PRIMARY KEY 1\n"
              "column users.role: VARCHAR(50) DEFAULT 'member'\n"
              "foreign key tasks(user_id): REFERENCES users(id) ON UPDATE "
              "NO ACTION ON DELETE CASCADE\n"
              "index ix_users_role: CREATE INDEX ix_users_role ON users "
              "(role)\n"
              "table tasks\n"
              "table users\n"
              "unique users(email)\n"
              "view v: CREATE VIEW v AS SELECT id FROM users\n");
    free(t);
    /* skipping a table leaves out what belongs to it */
    t = text_of(c, "users");
    CHECK_STR(t,
              "column tasks.id: INTEGER PRIMARY KEY 1\n"
              "column tasks.user_id: INTEGER\n"
              "foreign key tasks(user_id): REFERENCES users(id) ON UPDATE "
              "NO ACTION ON DELETE CASCADE\n"
              "table tasks\n"
              "view v: CREATE VIEW v AS SELECT id FROM users\n");
    free(t);
    mb_backend_sqlite.close(c);
}

/* A column dropped and added again moves to the end of SQLite's CREATE
 * text: the snapshot does not see the move. Declared types are compared
 * in upper case, as SQLite reads them. */
static void test_schema__sqlite_column_order(void)
{
    mb_conn *c = open_memory();
    char *before, *after;

    exec(c, "CREATE TABLE t (a INTEGER, b TEXT NOT NULL DEFAULT 'x', "
            "c REAL)");
    before = text_of(c, NULL);
    exec(c, "ALTER TABLE t DROP COLUMN b");
    exec(c, "ALTER TABLE t ADD COLUMN b text NOT NULL DEFAULT 'x'");
    after = text_of(c, NULL);
    CHECK_STR(after, before);
    free(before);
    free(after);
    mb_backend_sqlite.close(c);
}

static void test_schema__diff(void)
{
    mb_conn *c = open_memory();
    mb_schema a = MB_SCHEMA_INIT, b = MB_SCHEMA_INIT;
    mb_schema_diff d = MB_SCHEMA_DIFF_INIT;
    mb_error err = MB_ERROR_INIT;

    exec(c, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
    exec(c, "CREATE INDEX ix_name ON users (name)");
    CHECK(mb_schema_snapshot(&a, &mb_backend_sqlite, c, NULL, 0, &err) ==
          MB_OK);
    CHECK(mb_schema_diff_make(&d, &a, &a, &err) == MB_OK);
    CHECK_INT(d.n, 0);
    mb_schema_diff_free(&d);

    exec(c, "DROP INDEX ix_name");
    exec(c, "ALTER TABLE users ADD COLUMN role TEXT");
    exec(c, "CREATE TABLE extra (x INTEGER)");
    exec(c, "ALTER TABLE users DROP COLUMN name");
    exec(c, "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT ''");
    CHECK(mb_schema_snapshot(&b, &mb_backend_sqlite, c, NULL, 0, &err) ==
          MB_OK);
    CHECK(mb_schema_diff_make(&d, &a, &b, &err) == MB_OK);
    CHECK_INT(d.n, 5);
    if (d.n == 5) {
        /* in order of kind, then name */
        CHECK_INT(d.v[0].change, MB_SCHEMA_ADDED);
        CHECK_STR(d.v[0].after->name, "extra.x");
        CHECK(d.v[0].before == NULL);
        CHECK_INT(d.v[1].change, MB_SCHEMA_CHANGED);
        CHECK_STR(d.v[1].before->name, "users.name");
        CHECK_STR(d.v[1].before->def, "TEXT");
        CHECK_STR(d.v[1].after->def, "TEXT NOT NULL DEFAULT ''");
        CHECK_INT(d.v[2].change, MB_SCHEMA_ADDED);
        CHECK_STR(d.v[2].after->name, "users.role");
        CHECK_INT(d.v[3].change, MB_SCHEMA_REMOVED);
        CHECK_STR(d.v[3].before->kind, "index");
        CHECK_STR(d.v[3].before->name, "ix_name");
        CHECK(d.v[3].after == NULL);
        CHECK_INT(d.v[4].change, MB_SCHEMA_ADDED);
        CHECK_STR(d.v[4].after->kind, "table");
        CHECK_STR(d.v[4].after->name, "extra");
        /* what belongs to a table names it */
        CHECK_STR(d.v[0].after->owner, "extra");
        CHECK_STR(d.v[3].before->owner, "users");
        CHECK_STR(d.v[4].after->owner, "extra");
    }
    mb_schema_diff_free(&d);
    /* the other way round, every addition is a removal */
    CHECK(mb_schema_diff_make(&d, &b, &a, &err) == MB_OK);
    CHECK_INT(d.n, 5);
    if (d.n == 5) {
        CHECK_INT(d.v[0].change, MB_SCHEMA_REMOVED);
        CHECK_INT(d.v[3].change, MB_SCHEMA_ADDED);
    }
    mb_schema_diff_free(&d);
    mb_schema_free(&a);
    mb_schema_free(&b);
    mb_backend_sqlite.close(c);
}

/* Hand-made snapshots: escaping in the text, duplicates in the diff. */
static void test_schema__text_and_duplicates(void)
{
    mb_schema_obj oa[] = {
        {"function", "f(a\\b)", "line 1\nline 2", "f"},
        {"unique", "t(a)", "", "t"},
        {"unique", "t(a)", "x", "t"},
    };
    mb_schema_obj ob[] = {
        {"unique", "t(a)", "", "t"},
    };
    mb_schema a = {oa, 3, MB_ARENA_INIT}, b = {ob, 1, MB_ARENA_INIT};
    mb_schema_diff d = MB_SCHEMA_DIFF_INIT;
    mb_error err = MB_ERROR_INIT;
    mb_buf t = MB_BUF_INIT;

    CHECK(mb_schema_text(&t, &a, &err) == MB_OK);
    CHECK_STR(t.ptr, "function f(a\\\\b): line 1\\nline 2\n"
                     "unique t(a)\n"
                     "unique t(a): x\n");
    mb_buf_free(&t);
    CHECK(mb_schema_diff_make(&d, &a, &b, &err) == MB_OK);
    CHECK_INT(d.n, 2);
    if (d.n == 2) {
        CHECK_INT(d.v[0].change, MB_SCHEMA_REMOVED);
        CHECK_STR(d.v[0].before->kind, "function");
        CHECK_INT(d.v[1].change, MB_SCHEMA_REMOVED);
        CHECK_STR(d.v[1].before->def, "x");
    }
    mb_schema_diff_free(&d);
}

/* A canonical text read back: the same text again, kinds of two words
 * whole, escapes undone, and a diff against the live snapshot. */
static void test_schema__parse(void)
{
    mb_conn *c = open_memory();
    mb_schema live = MB_SCHEMA_INIT, back = MB_SCHEMA_INIT;
    mb_schema_diff d = MB_SCHEMA_DIFF_INIT;
    mb_error err = MB_ERROR_INIT;
    mb_buf t = MB_BUF_INIT, t2 = MB_BUF_INIT;
    static const char odd[] = "function f(a\\\\b): line 1\\nline 2\n"
                              "materialized view public.mv: SELECT 1\n"
                              "table x\n";
    size_t i;

    exec(c, "CREATE TABLE p (id INTEGER PRIMARY KEY)");
    exec(c, "CREATE TABLE q (id INTEGER, p_id INTEGER REFERENCES p(id), "
            "UNIQUE (id, p_id))");
    exec(c, "CREATE INDEX ix_q ON q (p_id)");
    CHECK(mb_schema_snapshot(&live, &mb_backend_sqlite, c, NULL, 0, &err) ==
          MB_OK);
    CHECK(mb_schema_text(&t, &live, &err) == MB_OK);
    CHECK(mb_schema_parse(&back, t.ptr, t.len, &err) == MB_OK);
    CHECK(mb_schema_text(&t2, &back, &err) == MB_OK);
    CHECK_STR(t2.ptr, t.ptr);
    for (i = 0; i < back.n; i++)
        if (strcmp(back.objs[i].name, "q(p_id)") == 0)
            CHECK_STR(back.objs[i].kind, "foreign key");
    CHECK(mb_schema_diff_make(&d, &back, &live, &err) == MB_OK);
    CHECK_INT(d.n, 0);
    mb_schema_diff_free(&d);
    mb_schema_free(&back);
    mb_buf_free(&t2);

    CHECK(mb_schema_parse(&back, odd, strlen(odd), &err) == MB_OK);
    CHECK_INT(back.n, 3);
    if (back.n == 3) {
        CHECK_STR(back.objs[0].kind, "function");
        CHECK_STR(back.objs[0].name, "f(a\\b)");
        CHECK_STR(back.objs[0].def, "line 1\nline 2");
        CHECK_STR(back.objs[1].kind, "materialized view");
        CHECK_STR(back.objs[1].name, "public.mv");
        CHECK_STR(back.objs[2].name, "x");
        CHECK_STR(back.objs[2].def, "");
    }
    mb_schema_free(&back);
    CHECK(mb_schema_parse(&back, "", 0, &err) == MB_OK);
    CHECK_INT(back.n, 0);
    mb_schema_free(&back);
    mb_schema_free(&live);
    mb_buf_free(&t);
    mb_backend_sqlite.close(c);
}

static const mb_test tests[] = {
    MB_T(test_schema__sqlite_text),
    MB_T(test_schema__sqlite_column_order),
    MB_T(test_schema__diff),
    MB_T(test_schema__text_and_duplicates),
    MB_T(test_schema__parse),
};

MB_TEST_MAIN(tests)

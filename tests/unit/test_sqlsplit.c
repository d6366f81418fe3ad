/*
 * test_sqlsplit.c -- splitting SQL into statements, PostgreSQL's way.
 *
 * Every case is split from a heap copy of exactly its length, with no NUL
 * after it, so that reading past len shows up under ASan and valgrind.
 * Statements are compared as exact text (offset and length) and line.
 */
#include <stdlib.h>
#include <string.h>

#include "mb/sqlsplit.h"
#include "testhelp.h"

typedef struct want {
    const char *sql;    /* exact statement text */
    unsigned line;
} want;

/* Split text[0..len) from a copy that has nothing after it. */
static int split_n(mb_stmts *out, const char *text, size_t len,
                   unsigned first_line, mb_error *err, char **copy)
{
    *copy = malloc(len ? len : 1);
    if (*copy == NULL)
        return MB_ENOMEM;
    memcpy(*copy, text, len);
    return mb_sql_split(out, *copy, len, "up.sql", first_line, err);
}

/* Split text (from line first_line) and expect exactly the n statements. */
static void check_split(int at, const char *text, unsigned first_line,
                        const want *w, size_t n)
{
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    int before = mb_test_failures;
    size_t i, len = strlen(text);
    char *copy = NULL;

    CHECK_INT(split_n(&s, text, len, first_line, &err, &copy), MB_OK);
    CHECK_STR(err.msg, "");
    CHECK_INT(s.n, n);
    for (i = 0; i < s.n && i < n; i++) {
        CHECK(s.v[i].offset + s.v[i].len <= len);
        CHECK_INT(s.v[i].len, strlen(w[i].sql));
        CHECK(s.v[i].len == strlen(w[i].sql) &&
              memcmp(text + s.v[i].offset, w[i].sql, s.v[i].len) == 0);
        CHECK_INT(s.v[i].line, w[i].line);
        if (mb_test_failures != before) {
            fprintf(stderr, "  statement %zu: \"%.*s\"\n", i,
                    (int)s.v[i].len, text + s.v[i].offset);
            break;
        }
    }
    if (mb_test_failures != before)
        fprintf(stderr, "  (case at %s:%d)\n", __FILE__, at);
    mb_stmts_free(&s);
    free(copy);
}

#define SPLIT(text, ...)                                                   \
    do {                                                                   \
        const want w_[] = {__VA_ARGS__};                                   \
        check_split(__LINE__, (text), 1, w_, sizeof w_ / sizeof w_[0]);    \
    } while (0)

/* Expect text to split into nothing at all. */
static void check_none(int at, const char *text)
{
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    int before = mb_test_failures;
    char *copy = NULL;

    CHECK_INT(split_n(&s, text, strlen(text), 1, &err, &copy), MB_OK);
    CHECK_INT(s.n, 0);
    if (mb_test_failures != before)
        fprintf(stderr, "  (case at %s:%d)\n", __FILE__, at);
    mb_stmts_free(&s);
    free(copy);
}

/* Expect MB_EPARSE at up.sql:line with exactly this message and hint. */
static void check_error(int at, const char *text, unsigned first_line,
                        int line, const char *msg, const char *hint)
{
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    int before = mb_test_failures;
    char *copy = NULL;

    CHECK_INT(split_n(&s, text, strlen(text), first_line, &err, &copy),
              MB_EPARSE);
    CHECK_INT(err.code, MB_EPARSE);
    CHECK_STR(err.file, "up.sql");
    CHECK_INT(err.line, line);
    CHECK_STR(err.msg, msg);
    CHECK_STR(err.hint, hint);
    CHECK(s.v == NULL && s.n == 0);
    if (mb_test_failures != before)
        fprintf(stderr, "  (case at %s:%d)\n", __FILE__, at);
    mb_stmts_free(&s);
    free(copy);
}

#define ERR(text, first, line, msg, hint)                                  \
    check_error(__LINE__, (text), (first), (line), (msg), (hint))

static const char *const h_string = "close it with a single quote '";
static const char *const h_estring =
    "close it with a single quote ' (in E'...' strings a backslash "
    "escapes the next character)";

static void test_sqlsplit__offsets_lengths_lines(void)
{
    const char *text = "CREATE TABLE a (x int);\n"
                       "  CREATE TABLE b (\n"
                       "    y int);\n";
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *copy = NULL;

    CHECK_INT(split_n(&s, text, strlen(text), 7, &err, &copy), MB_OK);
    CHECK_INT(s.n, 2);
    if (s.n == 2) {
        CHECK_INT(s.v[0].offset, 0);
        CHECK_INT(s.v[0].len, 23);
        CHECK_INT(s.v[0].line, 7);
        CHECK_INT(s.v[1].offset, 26);
        CHECK_INT(s.v[1].len, 28);
        CHECK_INT(s.v[1].line, 8);
    }
    mb_stmts_free(&s);
    mb_stmts_free(&s);              /* a freed list can be freed again */
    mb_stmts_free(NULL);
    free(copy);
}

static void test_sqlsplit__leading_comments_are_skipped(void)
{
    const char *text = "-- header; not a statement\n"
                       "/* block ;\n   comment */\n"
                       "\t SELECT 1; -- trailing ;\n"
                       "/* before */ SELECT 2;";
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *copy = NULL;

    CHECK_INT(split_n(&s, text, strlen(text), 10, &err, &copy), MB_OK);
    CHECK_INT(s.n, 2);
    if (s.n == 2) {
        CHECK_INT(s.v[0].offset, 54);
        CHECK_INT(s.v[0].len, 9);
        CHECK_INT(s.v[0].line, 13);
        CHECK_INT(s.v[1].offset, 91);
        CHECK_INT(s.v[1].len, 9);
        CHECK_INT(s.v[1].line, 14);
    }
    mb_stmts_free(&s);
    free(copy);
}

static void test_sqlsplit__empty_statements_are_dropped(void)
{
    check_none(__LINE__, "");
    check_none(__LINE__, ";");
    check_none(__LINE__, ";;\n ;\t; \f\v\r\n");
    check_none(__LINE__, "-- only a comment");
    check_none(__LINE__, "-- a;\n/* b; /* c; */ */ ; -- d\n;");
    SPLIT(";;\n  ; -- c\n/* x */ ;SELECT 1;;\n;",
          {"SELECT 1;", 3});
    SPLIT("SELECT 1;\n;\n;\nSELECT 2;", {"SELECT 1;", 1},
          {"SELECT 2;", 4});
}

static void test_sqlsplit__last_statement_without_semicolon(void)
{
    SPLIT("SELECT 1;\nSELECT 2", {"SELECT 1;", 1}, {"SELECT 2", 2});
    /* trailing space and comments are not part of it */
    SPLIT("SELECT 1;\nSELECT 2 /* x; */\n-- y;\n\n",
          {"SELECT 1;", 1}, {"SELECT 2", 2});
    SPLIT("SELECT\n'a'", {"SELECT\n'a'", 1});
    /* comments inside a statement are kept */
    SPLIT("SELECT /* a; */ 1 -- b;\n + 2;",
          {"SELECT /* a; */ 1 -- b;\n + 2;", 1});
}

static void test_sqlsplit__length_is_respected(void)
{
    const char *text = "SELECT 1;SELECT 'abc';";
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *copy = NULL;

    /* cut after the first statement: the rest is not looked at */
    CHECK_INT(split_n(&s, text, 9, 1, &err, &copy), MB_OK);
    CHECK_INT(s.n, 1);
    mb_stmts_free(&s);
    free(copy);
    /* cut inside the string: unterminated, although text goes on */
    CHECK_INT(split_n(&s, text, 19, 1, &err, &copy), MB_EPARSE);
    CHECK_STR(err.msg, "unterminated quoted string");
    mb_stmts_free(&s);
    free(copy);
    /* cut right after "--": a comment with no newline */
    CHECK_INT(split_n(&s, "SELECT 1 --", 11, 1, &err, &copy), MB_OK);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.n ? s.v[0].len : 0, 8);
    mb_stmts_free(&s);
    free(copy);
    /* a NUL byte is an ordinary character */
    CHECK_INT(split_n(&s, "SELECT '\0;';\0;", 14, 1, &err, &copy), MB_OK);
    CHECK_INT(s.n, 2);
    CHECK_INT(s.n == 2 ? s.v[1].offset : 0, 12);
    mb_stmts_free(&s);
    free(copy);
    /* no text at all */
    CHECK_INT(mb_sql_split(&s, NULL, 0, "up.sql", 1, &err), MB_OK);
    CHECK_INT(s.n, 0);
}

static void test_sqlsplit__standard_strings(void)
{
    SPLIT("SELECT 'a;b', 'it''s; ok', '-- no', '/* no', '$$;';\n"
          "SELECT 2;",
          {"SELECT 'a;b', 'it''s; ok', '-- no', '/* no', '$$;';", 1},
          {"SELECT 2;", 2});
    /* standard_conforming_strings: a backslash does not escape */
    SPLIT("SELECT 'C:\\';\nSELECT 'a\\''';",
          {"SELECT 'C:\\';", 1}, {"SELECT 'a\\''';", 2});
    SPLIT("SELECT '';SELECT '''';SELECT 'x\n;\ny';",
          {"SELECT '';", 1}, {"SELECT '''';", 1},
          {"SELECT 'x\n;\ny';", 1});
    /* the B, X, N and U& prefixes lex the same way */
    SPLIT("SELECT B'10;', X'1F;', N'n;''x', U&'d;\\0061';\nSELECT 2;",
          {"SELECT B'10;', X'1F;', N'n;''x', U&'d;\\0061';", 1},
          {"SELECT 2;", 2});
    SPLIT("SELECT U&'x\\'; SELECT 2;", {"SELECT U&'x\\';", 1},
          {"SELECT 2;", 1});
    SPLIT("SELECT B'01''x', X'1F''2'; SELECT 2;",
          {"SELECT B'01''x', X'1F''2';", 1}, {"SELECT 2;", 1});
    /* a prefix letter inside a longer identifier is just a letter */
    SPLIT("SELECT some_e'\\'; SELECT fe'x;y';",
          {"SELECT some_e'\\';", 1}, {"SELECT fe'x;y';", 1});
}

static void test_sqlsplit__escape_strings(void)
{
    SPLIT("SELECT E'\\'';\nSELECT e'\\\\';\nSELECT E'it\\'s; ''ok''';",
          {"SELECT E'\\'';", 1}, {"SELECT e'\\\\';", 2},
          {"SELECT E'it\\'s; ''ok''';", 3});
    SPLIT("SELECT E'\\\\'; SELECT E'\\n;\\x41\\u0042';",
          {"SELECT E'\\\\';", 1}, {"SELECT E'\\n;\\x41\\u0042';", 1});
    /* continued over a newline, the second part keeps the escapes */
    SPLIT("SELECT E'a'\n'\\';'; SELECT 2;",
          {"SELECT E'a'\n'\\';';", 1}, {"SELECT 2;", 2});
    SPLIT("SELECT E'a' -- c\n  \n-- d\n '\\';'; SELECT 2;",
          {"SELECT E'a' -- c\n  \n-- d\n '\\';';", 1}, {"SELECT 2;", 4});
    SPLIT("SELECT E'a'\r'\\';'; SELECT 2;",      /* a lone CR is a newline */
          {"SELECT E'a'\r'\\';';", 1}, {"SELECT 2;", 1});
    /* without a newline, or across a block comment, it is not continued */
    SPLIT("SELECT E'a' '\\'; SELECT 2;",
          {"SELECT E'a' '\\';", 1}, {"SELECT 2;", 1});
    SPLIT("SELECT E'a'\n/* c */ '\\'; SELECT 2;",
          {"SELECT E'a'\n/* c */ '\\';", 1}, {"SELECT 2;", 2});
}

static void test_sqlsplit__dollar_quotes(void)
{
    SPLIT("CREATE FUNCTION f() RETURNS int AS $$\n"
          "  SELECT 1; SELECT 'it''s; -- /*\n"
          "$$ LANGUAGE sql;\nSELECT 2;",
          {"CREATE FUNCTION f() RETURNS int AS $$\n"
           "  SELECT 1; SELECT 'it''s; -- /*\n"
           "$$ LANGUAGE sql;", 1},
          {"SELECT 2;", 4});
    /* a tag closes only with the same tag */
    SPLIT("SELECT $fn$ $$; $f$; $fnx$; $FN$; $fn$; SELECT 2;",
          {"SELECT $fn$ $$; $f$; $fnx$; $FN$; $fn$;", 1},
          {"SELECT 2;", 1});
    SPLIT("SELECT $a$ x$ab$; $a$; SELECT $_1$;$_1$, $é$;$é$;",
          {"SELECT $a$ x$ab$; $a$;", 1},
          {"SELECT $_1$;$_1$, $é$;$é$;", 1});
    SPLIT("SELECT $a$$a$;SELECT $$$$;",
          {"SELECT $a$$a$;", 1}, {"SELECT $$$$;", 1});
    /* "$tag" without its closing "$" is not a quote */
    SPLIT("SELECT $abc ;SELECT 2;", {"SELECT $abc ;", 1}, {"SELECT 2;", 1});
}

static void test_sqlsplit__params_and_dollar_identifiers(void)
{
    SPLIT("PREPARE p AS SELECT $1, $2;\nEXECUTE p(1, 2);",
          {"PREPARE p AS SELECT $1, $2;", 1}, {"EXECUTE p(1, 2);", 2});
    /* $1 is a parameter, the "$$" after it a quote */
    SPLIT("SELECT $1$$; $$;SELECT 2;",
          {"SELECT $1$$; $$;", 1}, {"SELECT 2;", 1});
    /* '$' inside an identifier starts nothing */
    SPLIT("SELECT a$b$c FROM t$;\nSELECT x$$;\nSELECT 3;",
          {"SELECT a$b$c FROM t$;", 1}, {"SELECT x$$;", 2},
          {"SELECT 3;", 3});
    /* but after a digit it does */
    SPLIT("SELECT 1$$;$$;", {"SELECT 1$$;$$;", 1});
    /* a number's letters start no identifier that would take the '$'
     * (found by tests/fuzz/fuzz_split_pg.c against PostgreSQL's lexer) */
    SPLIT("SELECT 1e5$$;$$; SELECT 1.5E-3$a$;$a$, 0x1F$$;$$, 1_000$$;$$;",
          {"SELECT 1e5$$;$$;", 1},
          {"SELECT 1.5E-3$a$;$a$, 0x1F$$;$$, 1_000$$;$$;", 1});
    /* but a second '.' ends the number: e'' after it is a string */
    SPLIT("SELECT 1..e'\\';'; SELECT 2.5.e'\\';'; SELECT .5.e'\\';';",
          {"SELECT 1..e'\\';';", 1}, {"SELECT 2.5.e'\\';';", 1},
          {"SELECT .5.e'\\';';", 1});
}

static void test_sqlsplit__quoted_identifiers(void)
{
    SPLIT("SELECT \"a;b\", \"say \"\"hi\"\";\" FROM \"t--x\" AS \"/*\";\n"
          "SELECT U&\"d;\\0061\";SELECT \"$$\";",
          {"SELECT \"a;b\", \"say \"\"hi\"\";\" FROM \"t--x\" AS \"/*\";", 1},
          {"SELECT U&\"d;\\0061\";", 2}, {"SELECT \"$$\";", 2});
    SPLIT("SELECT \"it's\"; SELECT 'say \"hi;';",
          {"SELECT \"it's\";", 1}, {"SELECT 'say \"hi;';", 1});
}

static void test_sqlsplit__comments(void)
{
    SPLIT("SELECT 1 --; ' \" $$\n+ 2;\nSELECT 3;",
          {"SELECT 1 --; ' \" $$\n+ 2;", 1}, {"SELECT 3;", 3});
    /* block comments nest; quotes inside them mean nothing */
    SPLIT("SELECT /* ; ' $$ /* nested ; */ still ; \" */ 1;\nSELECT 2;",
          {"SELECT /* ; ' $$ /* nested ; */ still ; \" */ 1;", 1},
          {"SELECT 2;", 2});
    SPLIT("SELECT /*/ ; */ 1; SELECT 2*/**/3;",
          {"SELECT /*/ ; */ 1;", 1}, {"SELECT 2*/**/3;", 1});
    /* comment starts inside operators */
    SPLIT("SELECT 1+--;\n2; SELECT 3*/*;*/4;",
          {"SELECT 1+--;\n2;", 1}, {"SELECT 3*/*;*/4;", 2});
    /* a lone CR ends a -- comment too */
    SPLIT("SELECT 1 -- x\r; SELECT 2;",
          {"SELECT 1 -- x\r;", 1}, {"SELECT 2;", 1});
}

static void test_sqlsplit__begin_atomic(void)
{
    SPLIT("CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql\n"
          "BEGIN ATOMIC\n"
          "  SELECT CASE WHEN x > 0 THEN 'pos;'\n"
          "              ELSE CASE WHEN x < 0 THEN 'neg' END END;\n"
          "  SELECT 'done';\n"
          "END;\n"
          "SELECT 2;",
          {"CREATE FUNCTION f(x int) RETURNS text LANGUAGE sql\n"
           "BEGIN ATOMIC\n"
           "  SELECT CASE WHEN x > 0 THEN 'pos;'\n"
           "              ELSE CASE WHEN x < 0 THEN 'neg' END END;\n"
           "  SELECT 'done';\n"
           "END;", 1},
          {"SELECT 2;", 7});
    SPLIT("create or replace procedure p() language sql begin /* c */ "
          "Atomic insert into t values (1); delete from u; end ;\n"
          "CREATE OR REPLACE FUNCTION g() RETURNS int\n"
          "BEGIN ATOMIC SELECT (CASE WHEN true THEN 1 END); END;",
          {"create or replace procedure p() language sql begin /* c */ "
           "Atomic insert into t values (1); delete from u; end ;", 1},
          {"CREATE OR REPLACE FUNCTION g() RETURNS int\n"
           "BEGIN ATOMIC SELECT (CASE WHEN true THEN 1 END); END;", 2});
    /* END right after an expression is that column's label, not the
     * body's end: only an END after ";" (or ATOMIC) closes it */
    SPLIT("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
          "SELECT CASE WHEN true THEN 1 END END; SELECT 1; END;\n"
          "SELECT 2;",
          {"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
           "SELECT CASE WHEN true THEN 1 END END; SELECT 1; END;", 1},
          {"SELECT 2;", 2});
    /* only BEGIN ATOMIC opens a body: "begin" may name things */
    SPLIT("CREATE FUNCTION begin() RETURNS int LANGUAGE sql "
          "AS 'SELECT 1';\n"
          "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
          "SELECT begin FROM t; END;\nSELECT 3;",
          {"CREATE FUNCTION begin() RETURNS int LANGUAGE sql "
           "AS 'SELECT 1';", 1},
          {"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
           "SELECT begin FROM t; END;", 2},
          {"SELECT 3;", 3});
    /* RETURN CASE ... END without a body; a PL/pgSQL body in quotes */
    SPLIT("CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql\n"
          "RETURN CASE WHEN x > 0 THEN 1 END;\n"
          "CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS $$\n"
          "BEGIN\n  RETURN NEW;\nEND\n$$;\nSELECT 3;",
          {"CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql\n"
           "RETURN CASE WHEN x > 0 THEN 1 END;", 1},
          {"CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS $$\n"
           "BEGIN\n  RETURN NEW;\nEND\n$$;", 3},
          {"SELECT 3;", 8});
}

static void test_sqlsplit__transactions_are_statements(void)
{
    SPLIT("BEGIN;\nCREATE TABLE t (x int);\nCOMMIT;",
          {"BEGIN;", 1}, {"CREATE TABLE t (x int);", 2}, {"COMMIT;", 3});
    SPLIT("BEGIN ATOMIC; SELECT 1; END;",
          {"BEGIN ATOMIC;", 1}, {"SELECT 1;", 1}, {"END;", 1});
    SPLIT("begin; select case when true then 1 end; end;",
          {"begin;", 1}, {"select case when true then 1 end;", 1},
          {"end;", 1});
    /* DO blocks and triggers hide their BEGIN in quotes */
    SPLIT("DO $$BEGIN PERFORM 1; END$$;\n"
          "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW "
          "EXECUTE FUNCTION f();",
          {"DO $$BEGIN PERFORM 1; END$$;", 1},
          {"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW "
           "EXECUTE FUNCTION f();", 2});
}

static void test_sqlsplit__parentheses(void)
{
    SPLIT("CREATE RULE r AS ON INSERT TO t DO ALSO\n"
          "  (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\n"
          "SELECT 2;",
          {"CREATE RULE r AS ON INSERT TO t DO ALSO\n"
           "  (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));", 1},
          {"SELECT 2;", 3});
    /* a stray ')' does not hide the next ';' */
    SPLIT("SELECT 1); SELECT 2;", {"SELECT 1);", 1}, {"SELECT 2;", 1});
    SPLIT("SELECT '(', \"(\", $$($$ /* ( */; SELECT 2;",
          {"SELECT '(', \"(\", $$($$ /* ( */;", 1}, {"SELECT 2;", 1});
}

static void test_sqlsplit__create_index_concurrently(void)
{
    SPLIT("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
          "\n"
          "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower_idx\n"
          "    ON users USING btree (lower(name)) WHERE name <> '';\n"
          "DROP INDEX CONCURRENTLY IF EXISTS old_idx",
          {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", 1},
          {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower_idx\n"
           "    ON users USING btree (lower(name)) WHERE name <> '';", 3},
          {"DROP INDEX CONCURRENTLY IF EXISTS old_idx", 5});
}

static void test_sqlsplit__many_statements(void)
{
    char text[10000];
    size_t i, pos = 0;
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *copy = NULL;

    for (i = 0; i < 1000; i++) {
        memcpy(text + pos, "SELECT 1;\n", 10);
        pos += i % 2 ? 10 : 9; /* every other one shares the next line */
    }
    CHECK_INT(split_n(&s, text, pos, 1, &err, &copy), MB_OK);
    CHECK_INT(s.n, 1000);
    if (s.n == 1000) {
        CHECK_INT(s.v[999].offset, 999 / 2 * 19 + 9);
        CHECK_INT(s.v[999].line, 500);
        CHECK_INT(s.v[998].line, 500);
        CHECK_INT(s.v[997].line, 499);
    }
    mb_stmts_free(&s);
    free(copy);
}

static void test_sqlsplit__unterminated_strings(void)
{
    ERR("SELECT 1;\nSELECT 'abc;\nSELECT 2;\n", 5, 6,
        "unterminated quoted string", h_string);
    ERR("SELECT 'it''s", 1, 1, "unterminated quoted string", h_string);
    ERR("SELECT 1;\n\nSELECT E'it\\'s;\n", 1, 3,
        "unterminated quoted string", h_estring);
    ERR("SELECT e'abc\\", 1, 1, "unterminated quoted string", h_estring);
    ERR("SELECT E'a'\n'\\';", 1, 1, "unterminated quoted string",
        h_estring);
    ERR("SELECT 1;\nSELECT U&'x", 1, 2, "unterminated quoted string",
        h_string);
    ERR("SELECT 1;\n\nSELECT B'01", 1, 3, "unterminated quoted string",
        h_string);
    /* B'' and X'' end at their first quote: the next one opens a string
     * (found by tests/fuzz/fuzz_split_pg.c against PostgreSQL's lexer) */
    ERR("SELECT B'01\n'';\n", 1, 2, "unterminated quoted string", h_string);
    ERR("SELECT x'1F''\n;", 1, 1, "unterminated quoted string", h_string);
    /* ...and are continued across a newline: '1<newline>' is the rest of
     * B'01', so the quote after it opens a string on line 3, not a ''
     * (found the same way) */
    ERR("SELECT B'01'\n'1\n'';\n", 1, 3, "unterminated quoted string",
        h_string);
    ERR("SELECT 1;\nSELECT \"ab\nc;", 1, 2,
        "unterminated quoted identifier", "close it with a double quote \"");
    ERR("SELECT U&\"x\"\"", 1, 1, "unterminated quoted identifier",
        "close it with a double quote \"");
}

static void test_sqlsplit__unterminated_dollar_quotes(void)
{
    ERR("SELECT 1;\n"
        "CREATE FUNCTION f() RETURNS int AS $fn$\n"
        "SELECT 1;\n$f$ $FN$ $fn LANGUAGE sql;\n", 1, 2,
        "unterminated dollar-quoted string $fn$", "close it with $fn$");
    ERR("\n\nDO $$ BEGIN END $ $;", 20, 22,
        "unterminated dollar-quoted string $$", "close it with $$");
    ERR("SELECT $1, $x$", 1, 1,
        "unterminated dollar-quoted string $x$", "close it with $x$");
}

static void test_sqlsplit__unterminated_comments(void)
{
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *copy = NULL;
    const char *text = "SELECT 1;\n/* outer\n   /* inner */\nSELECT 2;\n";

    ERR(text, 1, 2, "unterminated block comment",
        "close it with */ (block comments nest)");
    CHECK_INT(split_n(&s, text, strlen(text), 1, &err, &copy), MB_EPARSE);
    CHECK_STR(err.detail, "it holds a nested /* on line 3");
    free(copy);
    ERR("SELECT 1 /* x\n", 3, 3, "unterminated block comment",
        "close it with */ (block comments nest)");
    CHECK_INT(split_n(&s, "/*/", 3, 1, &err, &copy), MB_EPARSE);
    CHECK_STR(err.detail, "");
    free(copy);
    ERR("SELECT 1; /* ' */ /* \" \n", 1, 1, "unterminated block comment",
        "close it with */ (block comments nest)");
}

static void test_sqlsplit__unterminated_begin_atomic(void)
{
    const char *text = "SELECT 1;\n"
                       "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
                       "BEGIN ATOMIC\n"
                       "  SELECT 1;\n"
                       "CREATE TABLE t (x int);\n";
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *copy = NULL;
    const char *hint = "close it with END; every CASE inside needs its "
                       "own END";

    ERR(text, 1, 2, "unterminated BEGIN ATOMIC body", hint);
    CHECK_INT(split_n(&s, text, strlen(text), 1, &err, &copy), MB_EPARSE);
    CHECK_STR(err.detail, "the body opens with BEGIN ATOMIC on line 3");
    free(copy);
    /* the CASE takes the END meant for the body */
    ERR("CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC\n"
        "SELECT CASE WHEN true THEN 1; END;", 4, 4,
        "unterminated BEGIN ATOMIC body", hint);
}

static void test_sqlsplit__unclosed_parenthesis(void)
{
    ERR("SELECT 1;\nINSERT INTO t VALUES ((1), (2;\nSELECT 2;\n", 1, 2,
        "unclosed parenthesis", "close it with )");
    ERR("SELECT (\n(1)", 1, 1, "unclosed parenthesis", "close it with )");
}

static const mb_test tests[] = {
    MB_T(test_sqlsplit__offsets_lengths_lines),
    MB_T(test_sqlsplit__leading_comments_are_skipped),
    MB_T(test_sqlsplit__empty_statements_are_dropped),
    MB_T(test_sqlsplit__last_statement_without_semicolon),
    MB_T(test_sqlsplit__length_is_respected),
    MB_T(test_sqlsplit__standard_strings),
    MB_T(test_sqlsplit__escape_strings),
    MB_T(test_sqlsplit__dollar_quotes),
    MB_T(test_sqlsplit__params_and_dollar_identifiers),
    MB_T(test_sqlsplit__quoted_identifiers),
    MB_T(test_sqlsplit__comments),
    MB_T(test_sqlsplit__begin_atomic),
    MB_T(test_sqlsplit__transactions_are_statements),
    MB_T(test_sqlsplit__parentheses),
    MB_T(test_sqlsplit__create_index_concurrently),
    MB_T(test_sqlsplit__many_statements),
    MB_T(test_sqlsplit__unterminated_strings),
    MB_T(test_sqlsplit__unterminated_dollar_quotes),
    MB_T(test_sqlsplit__unterminated_comments),
    MB_T(test_sqlsplit__unterminated_begin_atomic),
    MB_T(test_sqlsplit__unclosed_parenthesis),
};

MB_TEST_MAIN(tests)

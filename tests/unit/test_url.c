/*
 * test_url.c -- passwords in database URLs are never printed.
 *
 * The cases below that leaked before were found by tests/fuzz/fuzz_url.c
 * (their inputs are in tests/fuzz/regress/url/): what libpq reads as a
 * password is hidden in every form it accepts.
 */
#include <string.h>

#include "mb/url.h"
#include "testhelp.h"

static void redacts(const char *url, const char *want)
{
    char out[256];

    mb_url_redact(out, sizeof out, url);
    CHECK_STR(out, want);
}

static void test_url__userinfo(void)
{
    redacts("postgresql://app:s3cret@127.0.0.1:5432/app",
            "postgresql://app:***@127.0.0.1:5432/app");
    redacts("postgres://app@db/app", "postgres://app@db/app");
    redacts("postgresql://a:b@c@host/db", "postgresql://a:***@host/db");
    redacts("postgresql://h/db?x=a:b@c", "postgresql://h/db?x=a:b@c");
    /* libpq ends the user info only at '/': '?' and '#' are in it */
    redacts("postgresql://us?er:s3cret@host/db",
            "postgresql://us?er:***@host/db");
    redacts("postgresql://app:s3#c?ret@host/db",
            "postgresql://app:***@host/db");
    redacts("mysql://app:s3cret@host", "mysql://app:***@host");
}

static void test_url__uri_parameters(void)
{
    redacts("postgresql:///app?host=/tmp&user=app&password=s3cret",
            "postgresql:///app?host=/tmp&user=app&password=***");
    redacts("postgresql://h/d?password=s3cret&sslmode=disable",
            "postgresql://h/d?password=***&sslmode=disable");
    /* the value runs to the next '&', spaces and ';' included */
    redacts("postgresql://h/d?password=s3 c;ret&x=1",
            "postgresql://h/d?password=***&x=1");
    /* libpq decodes parameter names */
    redacts("postgresql://h/d?pass%77ord=s3cret",
            "postgresql://h/d?pass%77ord=***");
    redacts("postgresql://h/d?%70%41ssword=s3cret",
            "postgresql://h/d?%70%41ssword=***");
    redacts("postgresql://h/d?sslpassword=s3cret&PASSWORD=x",
            "postgresql://h/d?sslpassword=***&PASSWORD=***");
    redacts("postgresql://h/d?mypassword=x&password_x=y",
            "postgresql://h/d?mypassword=x&password_x=y");
}

static void test_url__key_value(void)
{
    redacts("host=db user=app password=s3cret dbname=app",
            "host=db user=app password=*** dbname=app");
    redacts("password=s3cret", "password=***");
    redacts("host=db password = s3cret port=5432",
            "host=db password = *** port=5432");
    redacts("host=db password='s3 cret' port=5432",
            "host=db password=*** port=5432");
    redacts("host=db password='it\\'s' port=5432",
            "host=db password=*** port=5432");
    redacts("host=db password=s3\\ cret port=5432",
            "host=db password=*** port=5432");
    redacts("host=db\tsslpassword=s3cret", "host=db\tsslpassword=***");
    /* a quoted value that looks like a parameter hides nothing else */
    redacts("options='-c password=' password='s3cret'",
            "options='-c password=***");
    redacts("Server=db;Password=s3cret;Database=app",
            "Server=db;Password=***");
    redacts("sqlite:app.db", "sqlite:app.db");
}

static void test_url__size(void)
{
    char out[8];

    memset(out, 'x', sizeof out);
    mb_url_redact(out, 0, "postgresql://a:b@c");
    CHECK(out[0] == 'x');
    mb_url_redact(out, 1, "postgresql://a:b@c");
    CHECK_STR(out, "");
    mb_url_redact(out, sizeof out, "postgresql://a:b@c");
    CHECK_STR(out, "postgre");
    mb_url_redact(out, sizeof out, "a:b@c");
    CHECK_STR(out, "a:b@c");
    mb_url_redact(out, sizeof out, "");
    CHECK_STR(out, "");
}

static const mb_test tests[] = {
    MB_T(test_url__userinfo),
    MB_T(test_url__uri_parameters),
    MB_T(test_url__key_value),
    MB_T(test_url__size),
};

MB_TEST_MAIN(tests)

/*
 * test_author.c -- author.c's pure parts: Alembic's slug (expected values
 * from alembic/script/base.py's _rev_path, with \w taken as ASCII) and
 * SOURCE_DATE_EPOCH. Writing files is tests/cli/bundler_author.sh's.
 */
#include <stdlib.h>
#include <string.h>

#include "author.h"
#include "testhelp.h"

static void expect_slug(const char *message, const char *want)
{
    char out[MB_SLUG_MAX + 2];

    mb_author_slug(out, sizeof out, message);
    CHECK_STR(out, want);
}

static void test_author__slug(void)
{
    expect_slug("Create users table", "create_users_table");
    expect_slug("add  role-column to users!!", "add_role_column_to_users");
    expect_slug("", "");
    expect_slug("!!!", "");
    /* non-ASCII bytes separate words, as \w in ASCII mode */
    expect_slug("\xc3\x9c" "n\xc3\xaf" "code stra\xc3\x9f" "e: add tables",
                "n_code_stra_e_add_tables");
    /* over 40: cut at 40, back to the last "_", which stays */
    expect_slug("one two three four five six seven eight nine",
                "one_two_three_four_five_six_seven_eight_");
    expect_slug("aaaaaaaaaa_bbbbbbbbbb_cccccccccc_ddddddddd_eeee",
                "aaaaaaaaaa_bbbbbbbbbb_cccccccccc_");
    expect_slug("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yy",
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_");
    /* no "_" in the first 40: all 40 and a "_" */
    expect_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_");
    /* exactly 40, then only separators: kept whole */
    expect_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ...",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}

static void test_author__source_date_epoch(void)
{
    mb_error err = MB_ERROR_INIT;
    time_t t = 0;

    setenv("SOURCE_DATE_EPOCH", "1767225600", 1);
    CHECK_INT(mb_author_now(&t, &err), MB_OK);
    CHECK(t == (time_t)1767225600);
    setenv("SOURCE_DATE_EPOCH", "0", 1);
    CHECK_INT(mb_author_now(&t, &err), MB_OK);
    CHECK(t == 0);
    setenv("SOURCE_DATE_EPOCH", "12x", 1);
    CHECK_INT(mb_author_now(&t, &err), MB_EUSAGE);
    CHECK_STR(err.msg, "invalid SOURCE_DATE_EPOCH \"12x\"");
    setenv("SOURCE_DATE_EPOCH", "", 1);
    CHECK_INT(mb_author_now(&t, &err), MB_EUSAGE);
    setenv("SOURCE_DATE_EPOCH", "-5", 1);
    CHECK_INT(mb_author_now(&t, &err), MB_EUSAGE);
    setenv("SOURCE_DATE_EPOCH", "253402300800", 1); /* year 10000 */
    CHECK_INT(mb_author_now(&t, &err), MB_EUSAGE);
    setenv("SOURCE_DATE_EPOCH", "99999999999999999999", 1);
    CHECK_INT(mb_author_now(&t, &err), MB_EUSAGE);
    unsetenv("SOURCE_DATE_EPOCH");
    CHECK_INT(mb_author_now(&t, &err), MB_OK);
    CHECK(t > (time_t)1767225600);
}

static const mb_test tests[] = {
    MB_T(test_author__slug),
    MB_T(test_author__source_date_epoch),
};

MB_TEST_MAIN(tests)

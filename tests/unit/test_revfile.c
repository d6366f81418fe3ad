/*
 * test_revfile.c -- unit tests for the revision-file parser (revfile.c).
 *
 * Valid files are checked field by field, with section slices compared
 * byte for byte; every error path is checked for its code, FILE:LINE and
 * the words of its message and hint.
 */
#include <stdlib.h>
#include <string.h>

#include "mb/checksum.h"
#include "mb/revision.h"
#include "revfile.h"
#include "testhelp.h"

static mb_arena arena = MB_ARENA_INIT;

static int parse(mb_revision *rev, mb_error *err, const char *text,
                 size_t len)
{
    memset(rev, 0, sizeof *rev);
    mb_error_clear(err);
    return mb_revfile_parse(rev, &arena, "r.sql", "dir/r.sql", text, len,
                            err);
}

/* The slice of a section as a string (static buffer, for CHECK_STR). */
static const char *slice(const mb_revision *rev, const mb_section *sec)
{
    static char buf[1024];
    size_t n = sec->len < sizeof buf - 1 ? sec->len : sizeof buf - 1;

    memcpy(buf, (const char *)rev->data + sec->offset, n);
    buf[n] = '\0';
    return buf;
}

static void expect_err(int from, const char *text, size_t len, int line,
                       const char *msg, const char *hint)
{
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;
    int before = mb_test_failures;

    CHECK_INT(parse(&rev, &err, text, len), MB_EPARSE);
    CHECK_INT(err.code, MB_EPARSE);
    CHECK_STR(err.file, "dir/r.sql");
    CHECK_INT(err.line, line);
    CHECK_HAS(err.msg, msg);
    CHECK_HAS(err.hint, hint);
    CHECK(rev.id == NULL); /* out untouched on failure */
    if (mb_test_failures != before)
        fprintf(stderr, "  case at %s:%d gave %d: %s / %s\n", __FILE__,
                from, err.line, err.msg, err.hint);
    mb_arena_free(&arena);
}

#define EXPECT_ERR(text, line, msg, hint)                                  \
    expect_err(__LINE__, text, strlen(text), line, msg, hint)
#define EXPECT_ERR_N(text, len, line, msg, hint)                           \
    expect_err(__LINE__, text, len, line, msg, hint)

/* Lines 1-4: a valid header; line 5 is blank. */
#define HEAD "-- msg\n--\n-- Revision ID: r1\n-- Revises: r0\n\n"
#define UP "-- migrate:up\nSELECT 1;\n"

static const char full[] =
    "-- add role column to users\n"                           /* 1 */
    "--\n"                                                    /* 2 */
    "-- Revision ID: def456\n"                                /* 3 */
    "--   Revises:  abc123 , abd999  \n"                      /* 4 */
    "-- Create Date: 2026-01-16 10:00:00\n"                   /* 5 */
    "-- Branch Labels: main_line\n"                           /* 6 */
    "-- Depends On: zzz1\n"                                   /* 7 */
    "--\n"                                                    /* 8 */
    "-- Note: free text, ignored: Revises: nothing\n"         /* 9 */
    "\n"                                                      /* 10 */
    "-- a comment before the first section\n"                 /* 11 */
    "-- migrate:up\n"                                         /* 12 */
    "ALTER TABLE users ADD COLUMN role TEXT;\n"               /* 13 */
    "\n"                                                      /* 14 */
    "-- migrate:up dialect:postgresql transaction:false  \n"  /* 15 */
    "CREATE INDEX CONCURRENTLY ix ON users (role);\n"         /* 16 */
    "-- migrate:down\n"                                       /* 17 */
    "ALTER TABLE users DROP COLUMN role;\n"                   /* 18 */
    "-- migrate:down transaction:true dialect:sqlite\n";      /* 19 */

static void check_full(const mb_revision *rev)
{
    char sum[MB_CHECKSUM_HEX + 1];
    const mb_section *s = rev->sections;

    mb_checksum_hex(sum, full, strlen(full));
    CHECK_STR(rev->checksum, sum);
    CHECK_STR(rev->id, "def456");
    CHECK_STR(rev->path, "r.sql");
    CHECK_STR(rev->message, "add role column to users");
    CHECK_STR(rev->create_date, "2026-01-16 10:00:00");
    CHECK_INT(rev->n_revises, 2);
    CHECK_STR(rev->revises[0], "abc123");
    CHECK_STR(rev->revises[1], "abd999");
    CHECK_INT(rev->n_depends_on, 1);
    CHECK_STR(rev->depends_on[0], "zzz1");
    CHECK_INT(rev->n_branch_labels, 1);
    CHECK_STR(rev->branch_labels[0], "main_line");
    CHECK_INT(rev->id_line, 3);
    CHECK_INT(rev->revises_line, 4);
    CHECK_INT(rev->labels_line, 6);
    CHECK_INT(rev->depends_line, 7);
    CHECK_INT(rev->z_len, 0);
    CHECK_INT(rev->raw_len, strlen(full));
    CHECK(memcmp(rev->data, full, sizeof full) == 0); /* with the NUL */
    CHECK_INT(rev->n_sections, 4);
    if (rev->n_sections != 4)
        return;
    CHECK_INT(s[0].kind, MB_SECTION_UP);
    CHECK_INT(s[0].dialect, MB_DIALECT_ANY);
    CHECK_INT(s[0].transaction, 1);
    CHECK_INT(s[0].line, 12);
    CHECK_INT(s[0].offset, strstr(full, "ALTER TABLE users ADD") - full);
    CHECK_STR(slice(rev, &s[0]), "ALTER TABLE users ADD COLUMN role TEXT;\n"
                                 "\n");
    CHECK_INT(s[1].kind, MB_SECTION_UP);
    CHECK_INT(s[1].dialect, MB_DIALECT_POSTGRESQL);
    CHECK_INT(s[1].transaction, 0);
    CHECK_INT(s[1].line, 15);
    CHECK_STR(slice(rev, &s[1]),
              "CREATE INDEX CONCURRENTLY ix ON users (role);\n");
    CHECK_INT(s[2].kind, MB_SECTION_DOWN);
    CHECK_INT(s[2].dialect, MB_DIALECT_ANY);
    CHECK_INT(s[2].transaction, 1);
    CHECK_INT(s[2].line, 17);
    CHECK_STR(slice(rev, &s[2]), "ALTER TABLE users DROP COLUMN role;\n");
    CHECK_INT(s[3].kind, MB_SECTION_DOWN);
    CHECK_INT(s[3].dialect, MB_DIALECT_SQLITE);
    CHECK_INT(s[3].transaction, 1);
    CHECK_INT(s[3].line, 19);
    CHECK_INT(s[3].offset, strlen(full));
    CHECK_INT(s[3].len, 0);
}

static void test_revfile__full(void)
{
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;

    CHECK_INT(parse(&rev, &err, full, strlen(full)), MB_OK);
    CHECK_INT(err.code, MB_OK);
    check_full(&rev);
    mb_arena_free(&arena);
}

/* CRLF line endings and a UTF-8 BOM change neither checksum nor lines. */
static void test_revfile__crlf_and_bom(void)
{
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;
    char crlf[2 * sizeof full + 3];
    size_t i, n = 0;

    for (i = 0; full[i] != '\0'; i++) {
        if (full[i] == '\n')
            crlf[n++] = '\r';
        crlf[n++] = full[i];
    }
    CHECK_INT(parse(&rev, &err, crlf, n), MB_OK);
    check_full(&rev);
    mb_arena_free(&arena);

    memmove(crlf + 3, crlf, n);
    memcpy(crlf, "\xEF\xBB\xBF", 3);
    CHECK_INT(parse(&rev, &err, crlf, n + 3), MB_OK);
    check_full(&rev);
    mb_arena_free(&arena);

    memcpy(crlf + 3, full, sizeof full - 1);
    CHECK_INT(parse(&rev, &err, crlf, sizeof full - 1 + 3), MB_OK);
    check_full(&rev);
    mb_arena_free(&arena);
}

/* Only Revision ID; no down section; no final newline. */
static void test_revfile__minimal_irreversible(void)
{
    static const char text[] =
        "-- first\n--\n-- Revision ID: a1\n-- migrate:up\nSELECT 1;";
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;

    CHECK_INT(parse(&rev, &err, text, strlen(text)), MB_OK);
    CHECK_STR(rev.id, "a1");
    CHECK_STR(rev.create_date, "");
    CHECK_INT(rev.n_revises, 0);
    CHECK_INT(rev.n_depends_on, 0);
    CHECK_INT(rev.n_branch_labels, 0);
    CHECK_INT(rev.revises_line, 0);
    CHECK_INT(rev.depends_line, 0);
    CHECK_INT(rev.labels_line, 0);
    CHECK_INT(rev.n_sections, 1);
    CHECK_INT(rev.sections[0].line, 4);
    CHECK_STR(slice(&rev, &rev.sections[0]), "SELECT 1;");
    CHECK(mb_revision_section(&rev, MB_SECTION_DOWN, MB_DIALECT_ANY) ==
          NULL);
    CHECK_INT(mb_revision_reversible(&rev, MB_DIALECT_SQLITE), 0);
    CHECK_INT(mb_revision_reversible(&rev, MB_DIALECT_ANY), 0);
    mb_arena_free(&arena);
}

/* Empty keys are "none"; "None" is an id like any other. */
static void test_revfile__empty_keys(void)
{
    static const char text[] =
        "-- m\n--\n-- Revision ID: a1\n-- Revises:\n-- Branch Labels:  \n"
        "-- Depends On: None\n-- Create Date:\n" UP;
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;

    CHECK_INT(parse(&rev, &err, text, strlen(text)), MB_OK);
    CHECK_INT(rev.n_revises, 0);
    CHECK_INT(rev.revises_line, 4);
    CHECK_INT(rev.n_branch_labels, 0);
    CHECK_INT(rev.n_depends_on, 1);
    CHECK_STR(rev.depends_on[0], "None");
    CHECK_STR(rev.create_date, "");
    mb_arena_free(&arena);
}

/* A merge may have an empty up section; an empty down is reversible. */
static void test_revfile__merge_empty_up(void)
{
    static const char text[] =
        "-- merge\n--\n-- Revision ID: m1\n-- Revises: a1, b1\n\n"
        "-- migrate:up\n-- nothing to do\n/* really */\n"
        "-- migrate:down\n\n";
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;

    CHECK_INT(parse(&rev, &err, text, strlen(text)), MB_OK);
    CHECK_INT(rev.n_revises, 2);
    CHECK_INT(rev.n_sections, 2);
    CHECK_INT(mb_revision_reversible(&rev, MB_DIALECT_ANY), 1);
    CHECK_INT(mb_revision_reversible(&rev, MB_DIALECT_POSTGRESQL), 1);
    CHECK_STR(slice(&rev, mb_revision_section(&rev, MB_SECTION_DOWN,
                                              MB_DIALECT_SQLITE)), "\n");
    mb_arena_free(&arena);
}

static void test_revfile__section_lookup(void)
{
    static const char text[] =
        "-- m\n--\n-- Revision ID: a1\n\n"
        "-- migrate:up dialect:sqlite\nS;\n"
        "-- migrate:up dialect:postgresql\nP;\n"
        "-- migrate:down dialect:postgresql\nDP;\n";
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;
    const mb_section *s;

    CHECK_INT(parse(&rev, &err, text, strlen(text)), MB_OK);
    s = mb_revision_section(&rev, MB_SECTION_UP, MB_DIALECT_SQLITE);
    CHECK(s != NULL && s->line == 5);
    s = mb_revision_section(&rev, MB_SECTION_UP, MB_DIALECT_POSTGRESQL);
    CHECK(s != NULL && s->line == 7);
    CHECK(mb_revision_section(&rev, MB_SECTION_UP, MB_DIALECT_ANY) == NULL);
    CHECK(mb_revision_section(&rev, MB_SECTION_DOWN, MB_DIALECT_SQLITE) ==
          NULL);
    CHECK_INT(mb_revision_reversible(&rev, MB_DIALECT_POSTGRESQL), 1);
    CHECK_INT(mb_revision_reversible(&rev, MB_DIALECT_SQLITE), 0);
    CHECK_INT(mb_revision_reversible(&rev, MB_DIALECT_ANY), 0);
    CHECK(mb_revision_section(NULL, MB_SECTION_UP, MB_DIALECT_ANY) == NULL);
    mb_arena_free(&arena);
}

/* Multi-byte UTF-8, a 32-character id, comments between the sections. */
static void test_revfile__utf8_and_limits(void)
{
    static const char text[] =
        "-- caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n--\n"
        "-- Revision ID: abcdefghijklmnopqrstuvwxyz_01234\n\n"
        "-- migrate:up\nSELECT '\xE2\x82\xAC'; -- ok\n";
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;

    CHECK_INT(parse(&rev, &err, text, strlen(text)), MB_OK);
    CHECK_STR(rev.message, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    CHECK_STR(rev.id, "abcdefghijklmnopqrstuvwxyz_01234");
    mb_arena_free(&arena);
}

/* --- errors: the raw bytes ----------------------------------------------- */

static void test_revfile__too_large(void)
{
    char *big = calloc(MB_REVFILE_MAX + 1, 1); /* size is checked first */

    CHECK(big != NULL);
    if (big == NULL)
        return;
    EXPECT_ERR_N(big, MB_REVFILE_MAX + 1, 1, "larger than the limit of 64 "
                 "MiB", "split it");
    free(big);
}

static void test_revfile__utf16(void)
{
    EXPECT_ERR_N("\xFF\xFE-\0-\0", 6, 1, "file is UTF-16", "save it as "
                 "UTF-8");
    EXPECT_ERR_N("\xFE\xFF\0-\0-", 6, 1, "file is UTF-16", "save it as "
                 "UTF-8");
}

static void test_revfile__nul_byte(void)
{
    static const char text[] = HEAD UP "SELECT\0 2;\n";

    EXPECT_ERR_N(text, sizeof text - 1, 8, "file contains a NUL byte",
                 "UTF-8");
}

static void test_revfile__invalid_utf8(void)
{
    EXPECT_ERR(HEAD UP "SELECT '\xC0\xAF';\n", 8,
               "invalid UTF-8 sequence 0xc0", "save the file as UTF-8");
    EXPECT_ERR(HEAD UP "-- \xED\xA0\x80 surrogate\n", 8,
               "invalid UTF-8 sequence 0xed 0xa0", "UTF-8");
    EXPECT_ERR(HEAD UP "-- \xF4\x90\x80\x80 too big\n", 8,
               "invalid UTF-8 sequence 0xf4 0x90", "UTF-8");
    EXPECT_ERR(HEAD UP "-- \xE2\x28\xA1\n", 8,
               "invalid UTF-8 sequence 0xe2 0x28", "UTF-8");
    EXPECT_ERR("-- \x80\n", 1, "invalid UTF-8 sequence 0x80", "UTF-8");
    EXPECT_ERR("-- \xE0\x80\x80\n", 1, "0xe0 0x80", "UTF-8");
    EXPECT_ERR("-- \xF5\x80\x80\x80\n", 1, "0xf5", "UTF-8");
    EXPECT_ERR(HEAD UP "-- \xE2\x82", 8,
               "incomplete UTF-8 sequence 0xe2 0x82 at end of file",
               "UTF-8");
    /* a newline cannot continue a sequence: the lead byte's line */
    EXPECT_ERR("-- \xC3\n\n", 1, "invalid UTF-8 sequence 0xc3 0x0a",
               "UTF-8");
}

/* --- errors: the header --------------------------------------------------- */

static void test_revfile__not_a_header(void)
{
    const char *hint = "start the file with \"-- <message>\", an empty "
                       "\"--\" line and \"-- Revision ID: <id>\"";

    EXPECT_ERR("CREATE TABLE t (a int);\n", 1,
               "revision file must start with a \"--\" header block", hint);
    EXPECT_ERR("\n-- m\n--\n-- Revision ID: a\n" UP, 1, "header block",
               hint);
    EXPECT_ERR("", 1, "header block", hint);
    EXPECT_ERR("-- migrate:up\nSELECT 1;\n", 1, "header block", hint);
    EXPECT_ERR("  -- m\n", 1, "header block", hint);
}

static void test_revfile__empty_message(void)
{
    EXPECT_ERR("--   \n--\n-- Revision ID: a\n" UP, 1,
               "revision message is empty", "on the first line");
}

/* A key where the message belongs is the first line's error, not the
 * second's; a message that merely contains a colon is a message. */
static void test_revfile__key_first(void)
{
    const char *hint = "begin with a one-line message";

    EXPECT_ERR("-- Revision ID: a\n-- Revises:\n\n" UP, 1,
               "header starts with the key \"Revision ID\", not with a "
               "message", hint);
    EXPECT_ERR("--  Revises : r0\n--\n-- Revision ID: a\n" UP, 1,
               "header starts with the key \"Revises\"", hint);
    {
        static const char ok[] = "-- Note: users get a role\n--\n"
                                 "-- Revision ID: a\n" UP;
        mb_error err = MB_ERROR_INIT;
        mb_revision rev;

        CHECK_INT(parse(&rev, &err, ok, strlen(ok)), MB_OK);
        CHECK_STR(rev.message, "Note: users get a role");
        mb_arena_free(&arena);
    }
}

static void test_revfile__separator(void)
{
    const char *hint = "an empty \"--\" line separates the message from "
                       "the keys";

    EXPECT_ERR("-- m\n-- Revision ID: a\n" UP, 2,
               "expected an empty \"--\" line after the message", hint);
    EXPECT_ERR("-- m\n\n-- Revision ID: a\n" UP, 2, "empty \"--\" line",
               hint);
    EXPECT_ERR("-- m\n", 2, "empty \"--\" line", hint);
    EXPECT_ERR("-- m\n-- migrate:up\nSELECT 1;\n", 2, "empty \"--\" line",
               hint);
}

static void test_revfile__key_without_colon(void)
{
    EXPECT_ERR("-- m\n--\n-- Revision ID: a\n-- this is free text\n" UP, 4,
               "expected \"-- Key: value\" in the header key block",
               "end the key block with an empty \"--\" line before free "
               "text");
}

static void test_revfile__unknown_key(void)
{
    EXPECT_ERR("-- m\n--\n-- Revision ID: a\n-- Depend On: b\n" UP, 4,
               "unknown header key \"Depend On\"",
               "did you mean \"Depends On\"?");
    EXPECT_ERR("-- m\n--\n-- revision id: a\n" UP, 3,
               "unknown header key \"revision id\"",
               "did you mean \"Revision ID\"?");
    EXPECT_ERR("-- m\n--\n-- Revision ID: a\n-- Revision: b\n" UP, 4,
               "unknown header key \"Revision\"",
               "did you mean \"Revision ID\"?");
    EXPECT_ERR("-- m\n--\n-- Revision ID: a\n-- Author: me\n" UP, 4,
               "unknown header key \"Author\"",
               "the keys are \"Revision ID\", \"Revises\", \"Create Date\", "
               "\"Branch Labels\" and \"Depends On\"");
}

static void test_revfile__duplicate_key(void)
{
    EXPECT_ERR("-- m\n--\n-- Revision ID: a\n-- Revises: b\n-- Revises: c\n"
               UP, 5, "duplicate header key \"Revises\"",
               "\"Revises\" is already set on line 4; give each key once");
}

static void test_revfile__missing_id(void)
{
    const char *hint = "add \"-- Revision ID: <id>\" to the header key "
                       "block";

    EXPECT_ERR("-- m\n--\n-- Revises: a\n--\n-- Revision ID: b\n" UP, 4,
               "missing \"Revision ID\" in the header", hint);
    EXPECT_ERR("-- m\n--\n-- Revises: a\n\n" UP, 4, "missing", hint);
    EXPECT_ERR("-- m\n--\n-- Revises: a\n" UP, 4, "missing", hint);
    EXPECT_ERR("-- m\n--\n-- Revises: a\n", 3, "missing", hint);
}

static void test_revfile__bad_id(void)
{
    const char *hint = "a revision id is 1 to 32 letters, digits or "
                       "underscores";

    EXPECT_ERR("-- m\n--\n-- Revision ID: abc-1\n" UP, 3,
               "invalid revision id \"abc-1\"", hint);
    EXPECT_ERR("-- m\n--\n-- Revision ID:\n" UP, 3,
               "\"Revision ID\" is empty", hint);
    EXPECT_ERR("-- m\n--\n-- Revision ID: abcdefghijklmnopqrstuvwxyz_012345\n"
               UP, 3, "invalid revision id", hint);
    EXPECT_ERR("-- m\n--\n-- Revision ID: a b\n" UP, 3,
               "invalid revision id \"a b\"", hint);
    EXPECT_ERR("-- m\n--\n-- Revision ID: heads\n" UP, 3,
               "revision id \"heads\" is reserved", "choose another id");
    EXPECT_ERR("-- m\n--\n-- Revision ID: base\n" UP, 3,
               "revision id \"base\" is reserved", "choose another id");
}

static void test_revfile__bad_lists(void)
{
    const char *list_hint = "separate the items with single commas, "
                            "without a trailing comma";

    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Revises: a,,b\n" UP, 4,
               "empty item in \"Revises\"", list_hint);
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Depends On: a, \n" UP, 4,
               "empty item in \"Depends On\"", list_hint);
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Branch Labels: ,x\n" UP, 4,
               "empty item in \"Branch Labels\"", list_hint);
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Revises: a b\n" UP, 4,
               "invalid revision id \"a b\" in \"Revises\"",
               "a revision id is 1 to 32");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Branch Labels: x.y\n" UP, 4,
               "invalid branch label \"x.y\"", "a branch label is 1 to 32");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Revises: a, b, a\n" UP, 4,
               "duplicate revision id \"a\" in \"Revises\"",
               "list each revision id once");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Branch Labels: x, x\n" UP,
               4, "duplicate branch label \"x\" in \"Branch Labels\"",
               "list each branch label once");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Revises: base\n" UP, 4,
               "reserved name \"base\" in \"Revises\"",
               "leave \"Revises\" empty for a base revision");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Depends On: head\n" UP, 4,
               "reserved name \"head\" in \"Depends On\"",
               "name the revision by its full id");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Branch Labels: heads\n" UP,
               4, "branch label \"heads\" is reserved",
               "choose another label");
}

/* The own id in a list: reported at the list's line, even before the id. */
static void test_revfile__self_reference(void)
{
    EXPECT_ERR("-- m\n--\n-- Revises: a, c\n-- Revision ID: c\n" UP, 3,
               "revision \"c\" revises itself", "parent revisions");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Depends On: c\n" UP, 4,
               "revision \"c\" depends on itself", "other revisions");
    EXPECT_ERR("-- m\n--\n-- Revision ID: c\n-- Branch Labels: c\n" UP, 4,
               "branch label \"c\" equals the revision id",
               "differs from every revision id");
}

static void test_revfile__too_many_items(void)
{
    char text[4096];
    size_t n;
    int i;

    n = (size_t)snprintf(text, sizeof text,
                         "-- m\n--\n-- Revision ID: c\n-- Revises: ");
    for (i = 0; i < MB_REVISION_MAX_ITEMS + 1; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%sr%d",
                              i ? "," : "", i);
    snprintf(text + n, sizeof text - n, "\n" UP);
    EXPECT_ERR(text, 4, "too many items in \"Revises\" (257)",
               "at most 256 items");

    /* exactly the limit is fine */
    n = (size_t)snprintf(text, sizeof text,
                         "-- m\n--\n-- Revision ID: c\n-- Revises: ");
    for (i = 0; i < MB_REVISION_MAX_ITEMS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%sr%d",
                              i ? "," : "", i);
    snprintf(text + n, sizeof text - n, "\n" UP);
    {
        mb_error err = MB_ERROR_INIT;
        mb_revision rev;

        CHECK_INT(parse(&rev, &err, text, strlen(text)), MB_OK);
        CHECK_INT(rev.n_revises, MB_REVISION_MAX_ITEMS);
        mb_arena_free(&arena);
    }
}

/* --- errors: the body and the sections ------------------------------------ */

static void test_revfile__sql_outside_section(void)
{
    const char *hint = "put statements after \"-- migrate:up\" or "
                       "\"-- migrate:down\"";

    EXPECT_ERR(HEAD "CREATE TABLE t (a int);\n" UP, 6,
               "SQL outside any section", hint);
    EXPECT_ERR(HEAD "-- fine\n\n  /* not fine */\n" UP, 8,
               "SQL outside any section", hint);
    /* the header ends at the first non-"--" line */
    EXPECT_ERR("-- m\n--\n-- Revision ID: a\nSELECT 1;\n" UP, 4,
               "SQL outside any section", hint);
}

static void test_revfile__bad_marker(void)
{
    EXPECT_ERR(HEAD "--migrate:up\nSELECT 1;\n", 6,
               "malformed section marker \"--migrate:up\"",
               "write it as \"-- migrate:up\"");
    EXPECT_ERR(HEAD "-- Migrate:Up transaction:false\nSELECT 1;\n", 6,
               "malformed section marker \"-- Migrate:Up transaction:false\"",
               "write it as \"-- migrate:up transaction:false\"");
    EXPECT_ERR(HEAD "-- migrate:upp\nSELECT 1;\n", 6,
               "malformed section marker \"-- migrate:upp\"",
               "write it as \"-- migrate:up\"");
    EXPECT_ERR(HEAD "-- migrate: down\nSELECT 1;\n", 6,
               "malformed section marker", "write it as \"-- migrate:down\"");
    EXPECT_ERR(HEAD UP "  -- migrate:down\n", 8, "malformed section marker",
               "write it as \"-- migrate:down\", at the start of the line");
    EXPECT_ERR(HEAD "-- migrate:sideways\n", 6, "malformed section marker",
               "write \"-- migrate:up\" or \"-- migrate:down\" at the start "
               "of the line");
    /* a marker-like line ends the header */
    EXPECT_ERR("-- m\n--\n-- Revision ID: a\n-- MIGRATE:UP\n", 4,
               "malformed section marker", "\"-- migrate:up\"");
}

static void test_revfile__bad_options(void)
{
    EXPECT_ERR(HEAD "-- migrate:up transaction:flase\nSELECT 1;\n", 6,
               "unknown section option \"transaction:flase\"",
               "use transaction:false or transaction:true");
    EXPECT_ERR(HEAD "-- migrate:up transaction\nSELECT 1;\n", 6,
               "unknown section option \"transaction\"",
               "use transaction:false or transaction:true");
    EXPECT_ERR(HEAD "-- migrate:up dialect:postgres\nSELECT 1;\n", 6,
               "unknown section option \"dialect:postgres\"",
               "did you mean dialect:postgresql?");
    EXPECT_ERR(HEAD "-- migrate:up dialect:pg\nSELECT 1;\n", 6,
               "unknown section option", "did you mean dialect:postgresql?");
    EXPECT_ERR(HEAD "-- migrate:up dialect:sqlite3\nSELECT 1;\n", 6,
               "unknown section option", "did you mean dialect:sqlite?");
    EXPECT_ERR(HEAD "-- migrate:up dialect:oracle\nSELECT 1;\n", 6,
               "unknown section option",
               "use dialect:postgresql or dialect:sqlite");
    EXPECT_ERR(HEAD "-- migrate:up transation:false\nSELECT 1;\n", 6,
               "unknown section option \"transation:false\"",
               "use transaction:false or transaction:true");
    EXPECT_ERR(HEAD "-- migrate:up notx\nSELECT 1;\n", 6,
               "unknown section option \"notx\"",
               "the options are transaction:false, transaction:true, "
               "dialect:postgresql and dialect:sqlite");
    EXPECT_ERR(HEAD "-- migrate:up transaction:false transaction:false\n"
               "SELECT 1;\n", 6,
               "duplicate section option \"transaction:false\"",
               "give each option once");
    EXPECT_ERR(HEAD "-- migrate:up dialect:sqlite dialect:postgresql\n"
               "SELECT 1;\n", 6,
               "conflicting section options \"dialect:sqlite\" and "
               "\"dialect:postgresql\"", "give one dialect");
    EXPECT_ERR(HEAD "-- migrate:up transaction:true transaction:false\n"
               "SELECT 1;\n", 6, "conflicting section options",
               "give one transaction option");
}

static void test_revfile__duplicate_section(void)
{
    EXPECT_ERR(HEAD UP "-- migrate:down\n\n" UP, 10, "duplicate up section",
               "the first one is on line 6");
    EXPECT_ERR(HEAD UP "-- migrate:down dialect:sqlite\nA;\n"
               "-- migrate:down dialect:sqlite transaction:false\nB;\n", 10,
               "duplicate down section for dialect sqlite",
               "the first one is on line 8");
}

static void test_revfile__empty_up(void)
{
    const char *hint = "only a merge (several \"Revises\") may have an "
                       "empty up section";

    EXPECT_ERR(HEAD "-- migrate:up\n\n  -- todo\n/* later\n */ ;\n"
               "-- migrate:down\nDROP TABLE t;\n", 6,
               "up section has no statement", hint);
    EXPECT_ERR(HEAD UP "-- migrate:up dialect:sqlite\n", 8,
               "up section has no statement", hint);
    /* a body that is one unterminated comment: the comment is the error */
    EXPECT_ERR(HEAD "-- migrate:up\n/* unterminated", 7,
               "unterminated block comment",
               "close it with */ before the section ends (the up section "
               "opens on line 6)");
    EXPECT_ERR(HEAD UP "-- migrate:down\n\n-- undo\n/* DROP TABLE t;\n", 11,
               "unterminated block comment",
               "close it with */ before the section ends (the down section "
               "opens on line 8)");
}

static void test_revfile__no_up(void)
{
    EXPECT_ERR(HEAD "-- migrate:down\nDROP TABLE t;\n", 7,
               "revision has no up section",
               "add a \"-- migrate:up\" section");
    EXPECT_ERR(HEAD, 5, "revision has no up section",
               "add a \"-- migrate:up\" section");
    EXPECT_ERR(HEAD "-- migrate:up dialect:postgresql\nSELECT 1;\n", 7,
               "revision has no up section for sqlite",
               "or \"-- migrate:up dialect:sqlite\"");
}

/* Errors after CRLF and a BOM name the same lines as with LF. */
static void test_revfile__crlf_error_lines(void)
{
    EXPECT_ERR("\xEF\xBB\xBF-- m\r\n--\r\n-- Revision ID: a\r\n\r\n"
               "SELECT 1;\r\n", 5, "SQL outside any section", "");
    EXPECT_ERR("-- m\r\n--\r\n-- Revision ID: a\r\n-- migrate:up \r\n"
               "\r\n", 4, "up section has no statement", "");
}

static const mb_test tests[] = {
    MB_T(test_revfile__full),
    MB_T(test_revfile__crlf_and_bom),
    MB_T(test_revfile__minimal_irreversible),
    MB_T(test_revfile__empty_keys),
    MB_T(test_revfile__merge_empty_up),
    MB_T(test_revfile__section_lookup),
    MB_T(test_revfile__utf8_and_limits),
    MB_T(test_revfile__too_large),
    MB_T(test_revfile__utf16),
    MB_T(test_revfile__nul_byte),
    MB_T(test_revfile__invalid_utf8),
    MB_T(test_revfile__not_a_header),
    MB_T(test_revfile__empty_message),
    MB_T(test_revfile__key_first),
    MB_T(test_revfile__separator),
    MB_T(test_revfile__key_without_colon),
    MB_T(test_revfile__unknown_key),
    MB_T(test_revfile__duplicate_key),
    MB_T(test_revfile__missing_id),
    MB_T(test_revfile__bad_id),
    MB_T(test_revfile__bad_lists),
    MB_T(test_revfile__self_reference),
    MB_T(test_revfile__too_many_items),
    MB_T(test_revfile__sql_outside_section),
    MB_T(test_revfile__bad_marker),
    MB_T(test_revfile__bad_options),
    MB_T(test_revfile__duplicate_section),
    MB_T(test_revfile__empty_up),
    MB_T(test_revfile__no_up),
    MB_T(test_revfile__crlf_error_lines),
};

MB_TEST_MAIN(tests)

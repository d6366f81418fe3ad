/*
 * fuzz_sqlsplit.c -- libFuzzer harness for mb_sql_split().
 *
 * Built and run by tests/fuzz/run.sh (ctest: fuzz.sqlsplit), with the
 * dictionary sqlsplit.dict and the seeds in corpus/sqlsplit/ (SQL of the
 * sample migrations and of tests/unit/test_sqlsplit.c):
 *
 *   tests/fuzz/run.sh --seconds 60 sqlsplit
 *
 * fuzz-sources: runtime/sqlsplit.c runtime/error.c runtime/buf.c
 *
 * Checked on every input: on success the statements are in order, inside
 * the input, non-empty and non-overlapping; each starts on a token (not on
 * space, a comment or a ';'), has the line its offset implies, and ends
 * in ';' unless it is the last; split again on its own, each statement is
 * exactly one statement. On failure the error is a parse error on an
 * existing line, with a message and a hint, and nothing is returned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzhelp.h"
#include "mb/sqlsplit.h"

#define FIRST_LINE 3


static unsigned newlines(const char *p, size_t n)
{
    unsigned count = 0;
    size_t i;

    for (i = 0; i < n; i++)
        count += p[i] == '\n';
    return count;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Split one statement again, from a copy holding exactly its bytes. */
static void check_alone(const char *stmt, size_t len, unsigned line)
{
    mb_stmts again = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *copy = malloc(len);

    CHECK(copy != NULL);
    memcpy(copy, stmt, len);
    CHECK(mb_sql_split(&again, copy, len, "fuzz.sql", line, &err) == MB_OK);
    CHECK(again.n == 1);
    CHECK(again.v[0].offset == 0 && again.v[0].len == len);
    CHECK(again.v[0].line == line);
    mb_stmts_free(&again);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mb_stmts s = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    const char *text;
    char *copy = malloc(size ? size : 1);  /* nothing readable after it */
    size_t i, prev_end = 0;
    int rc;

    CHECK(copy != NULL);
    memcpy(copy, data, size);
    text = copy;
    rc = mb_sql_split(&s, text, size, "fuzz.sql", FIRST_LINE, &err);
    if (rc != MB_OK) {
        CHECK(rc == MB_EPARSE && err.code == MB_EPARSE);
        CHECK(s.v == NULL && s.n == 0);
        CHECK(strcmp(err.file, "fuzz.sql") == 0);
        CHECK(err.line >= FIRST_LINE &&
              err.line <= FIRST_LINE + (int)newlines(text, size));
        CHECK(err.msg[0] != '\0' && err.hint[0] != '\0');
        free(copy);
        return 0;
    }
    for (i = 0; i < s.n; i++) {
        const mb_stmt *st = &s.v[i];
        const char *p = text + st->offset;

        CHECK(st->offset >= prev_end);
        CHECK(st->len > 0 && st->offset < size);
        CHECK(st->len <= size - st->offset);
        CHECK(!is_space(p[0]) && p[0] != ';');
        CHECK(!(st->len > 1 && p[0] == '-' && p[1] == '-'));
        CHECK(!(st->len > 1 && p[0] == '/' && p[1] == '*'));
        CHECK(st->line == FIRST_LINE + newlines(text, st->offset));
        CHECK(i + 1 == s.n || p[st->len - 1] == ';');
        check_alone(p, st->len, st->line);
        prev_end = st->offset + st->len;
    }
    mb_stmts_free(&s);
    free(copy);
    return 0;
}

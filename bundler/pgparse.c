/*
 * pgparse.c -- PostgreSQL's parser over the sections that run on
 * PostgreSQL (see pgparse.h).
 *
 * libpg_query reports a syntax error's position as the 1-based index of
 * the character (UTF-8: of the first byte of each character) in the
 * string it was given, here one statement; that index is walked forward
 * from the statement's first byte to a line and a column of the file.
 * The splitter has already refused what it cannot split (unterminated
 * quotes, comments, parentheses), so every statement handed over is
 * complete as text.
 */
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/revision.h"
#include "pgparse.h"

/* libpg_query keeps a memory context per thread from its first parse;
 * pg_query_exit() before any parse would crash, so remember there was
 * one. */
static int parser_used;

/* Is byte c the first byte of a UTF-8 character? */
static int starts_char(char c)
{
    return ((unsigned char)c & 0xc0) != 0x80;
}

/*
 * Where character cursor (1-based; 0: unknown) of stmt lies: its file
 * line and 1-based column in characters. Past the end: just after it.
 */
static void locate(const char *s, size_t len, unsigned first_line,
                   int cursor, unsigned *line, int *column)
{
    size_t i, chars = 0;
    int col = 1;

    *line = first_line;
    for (i = 0; i < len; i++) {
        if (starts_char(s[i]) && ++chars >= (size_t)cursor)
            break;
        if (s[i] == '\n') {
            (*line)++;
            col = 1;
        } else if (starts_char(s[i])) {
            col++;
        }
    }
    *column = cursor > 0 ? col : 0;
}

/* Parse one statement; on a syntax error, MB_EPARSE at its position. */
static int parse_one(const char *text, const mb_stmt *stmt, const char *file,
                     mb_pgparse_fn fn, void *ctx, size_t index,
                     mb_error *err)
{
    char *copy = mb_strndup(text + stmt->offset, stmt->len);
    PgQueryParseResult r;
    unsigned line;
    int column, rc = MB_OK;

    if (copy == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    parser_used = 1;
    r = pg_query_parse(copy);
    if (r.error != NULL) {
        locate(copy, stmt->len, stmt->line, r.error->cursorpos, &line,
               &column);
        rc = mb_error_at(err, MB_EPARSE, file, (int)line, "%s",
                         r.error->message);
        if (err != NULL)
            err->column = column;
    } else if (fn != NULL) {
        rc = fn(ctx, index, stmt, r.parse_tree, err);
    }
    pg_query_free_parse_result(r);
    free(copy);
    return rc;
}

int mb_pgparse_section(const char *text, size_t len, const char *file,
                       unsigned first_line, mb_pgparse_fn fn, void *ctx,
                       mb_error *err)
{
    mb_stmts st = MB_STMTS_INIT;
    size_t i;
    int rc;

    if ((rc = mb_sql_split(&st, text, len, file, first_line, err)) < 0)
        goto done;
    for (i = 0; i < st.n; i++) {
        if ((rc = parse_one(text, &st.v[i], file, fn, ctx, i, err)) < 0)
            goto done;
    }
done:
    mb_stmts_free(&st);
    return rc;
}

int mb_pgparse_revision(const mb_revision *rev, const char *shown,
                        mb_error *err)
{
    static const int kinds[] = {MB_SECTION_UP, MB_SECTION_DOWN};
    size_t i;
    int rc = MB_OK;

    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const mb_section *sec =
            mb_revision_section(rev, kinds[i], MB_DIALECT_POSTGRESQL);

        if (sec == NULL)
            continue;
        rc = mb_pgparse_section((const char *)rev->data + sec->offset,
                                sec->len, shown, sec->line + 1, NULL, NULL,
                                err);
        if (rc == MB_EPARSE && err != NULL && err->column > 0) {
            if (sec->dialect == MB_DIALECT_ANY)
                mb_error_hint(err, "this generic section also runs on "
                              "PostgreSQL (PostgreSQL 15's parser refuses "
                              "it): fix it, or give PostgreSQL its own "
                              "\"-- migrate:%s dialect:postgresql\" section",
                              kinds[i] == MB_SECTION_UP ? "up" : "down");
            else
                mb_error_hint(err, "PostgreSQL 15's parser refuses this "
                              "statement: fix the SQL at that position");
        }
        if (rc < 0)
            break;
    }
    return rc;
}

void mb_pgparse_exit(void)
{
    if (parser_used)
        pg_query_exit();
    parser_used = 0;
}

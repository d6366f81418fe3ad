/*
 * mb/sqlsplit.h -- split a section into statements, PostgreSQL-aware.
 *
 * Used for `transaction:false` sections (run statement by statement) and
 * to map a failing statement back to its FILE:LINE. Understands what can
 * hide a semicolon: 'strings' (with '' doubling), E'escape strings' (with
 * backslash escapes), standard_conforming_strings=on semantics for plain
 * strings, $tag$ dollar quotes $tag$, "quoted identifiers", -- comments,
 * nested block comments, and BEGIN ATOMIC ... END bodies of SQL-standard
 * function bodies. Statements that hold only whitespace and comments are
 * dropped.
 */
#ifndef MB_SQLSPLIT_H
#define MB_SQLSPLIT_H

#include <stddef.h>
#include "mb/error.h"

typedef struct mb_stmt {
    size_t offset;  /* first byte of the statement (after leading space
                     * and comments), relative to the text given */
    size_t len;     /* up to and including the terminating ';' if any */
    unsigned line;  /* file line of the first byte */
} mb_stmt;

typedef struct mb_stmts {
    mb_stmt *v;     /* allocated; free with mb_stmts_free */
    size_t n;
} mb_stmts;

#define MB_STMTS_INIT {NULL, 0}

/**
 * Split text[0..len), whose first byte is on line first_line of file.
 * An unterminated quote, dollar quote, quoted identifier or comment is
 * MB_EPARSE at FILE:LINE of where it starts, naming what is open and what
 * would close it; so is a '(' never closed, and a BEGIN ATOMIC body with
 * no END (at the line of its CREATE statement). *out is overwritten: the
 * caller frees it with mb_stmts_free(), and it is empty after a failure.
 */
int mb_sql_split(mb_stmts *out, const char *text, size_t len,
                 const char *file, unsigned first_line, mb_error *err);
void mb_stmts_free(mb_stmts *s);

#endif

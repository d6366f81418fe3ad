/*
 * pgparse.h -- PostgreSQL's own parser (libpg_query) over the sections
 * that run on PostgreSQL.
 *
 * The bundler parses every statement that PostgreSQL will run with
 * PostgreSQL 15's grammar, so that a syntax error is a build error at
 * FILE:LINE:COLUMN rather than a failure during a deployment. Statements
 * are those of the runtime's splitter (mb/sqlsplit.h), whose boundaries
 * tests/fuzz/split_pg_corpus.c checks against the parser's; each is
 * parsed on its own, so an error's position is within one statement.
 *
 * Only the bundler links libpg_query: app-migrate must not grow
 * (tests/cli/bundler_pgparse.sh checks its symbols).
 */
#ifndef MB_PGPARSE_H
#define MB_PGPARSE_H

#include <stddef.h>
#include "mb/bundle.h"
#include "mb/error.h"
#include "mb/sqlsplit.h"

/**
 * Called for each statement that parses, with the parser's JSON tree of
 * it ({"version": ..., "stmts": [...]}, see pgjson.h).
 * @param index  the statement's index in the section, from 0
 * @return MB_OK to go on, or a status that stops the walk
 */
typedef int (*mb_pgparse_fn)(void *ctx, size_t index, const mb_stmt *stmt,
                             const char *json, mb_error *err);

/**
 * Split text[0..len) (its first byte on line first_line of file) and
 * parse each statement. A syntax error is MB_EPARSE at FILE:LINE with
 * err->column set (1-based, in characters), and the parser's message.
 * @param fn    called for each statement in order; NULL: only check
 * @return MB_OK, MB_EPARSE, MB_ENOMEM, or what fn returned
 */
int mb_pgparse_section(const char *text, size_t len, const char *file,
                       unsigned first_line, mb_pgparse_fn fn, void *ctx,
                       mb_error *err);

/**
 * Parse the sections of rev that run on PostgreSQL: for up and for
 * down, the dialect:postgresql section if there is one, else the generic
 * one (a generic section replaced for PostgreSQL runs on SQLite only, and
 * may hold SQL that PostgreSQL refuses).
 * @param shown  the file name to print (DIR/PATH)
 */
int mb_pgparse_revision(const mb_revision *rev, const char *shown,
                        mb_error *err);

/** Release libpg_query's per-thread memory; call once at exit. */
void mb_pgparse_exit(void);

#endif

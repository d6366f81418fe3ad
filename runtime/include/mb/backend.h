/*
 * mb/backend.h -- the database backend interface.
 *
 * Each backend is one `const mb_backend` in its own backend_*.c, chosen by
 * URL scheme; only those files include a database client header. The
 * version and log tables are handled in vtable.c through query(), so every
 * backend shares one implementation of the row rules.
 */
#ifndef MB_BACKEND_H
#define MB_BACKEND_H

#include <stddef.h>
#include "mb/arena.h"
#include "mb/buf.h"
#include "mb/bundle.h"
#include "mb/error.h"
#include "mb/log.h"

typedef struct mb_conn mb_conn; /* defined by each backend */

typedef struct mb_connect_opts {
    int readonly;        /* never create or write anything */
    double lock_timeout; /* seconds to wait for a lock held elsewhere */
    double wait;         /* seconds to keep retrying a refused connection */
    const char *prog;    /* application_name (PostgreSQL) */
    mb_logger log;       /* waits, recovery, server notices (mb/log.h) */
} mb_connect_opts;

/**
 * A result set: nrows * ncols cells, row-major; NULL for SQL NULL. The
 * text of the cells lives in one arena, so that reading a version table
 * of 10,000 rows costs a few allocations, not 40,000.
 */
typedef struct mb_rows {
    char **cells;
    size_t nrows;
    size_t ncols;
    mb_arena text; /* every cell's bytes, released together */
} mb_rows;

#define MB_ROWS_INIT {NULL, 0, 0, MB_ARENA_INIT}

void mb_rows_free(mb_rows *r);

/** A section to execute, with what is needed to report FILE:LINE. */
typedef struct mb_script {
    const mb_revision *rev;
    const char *sql;     /* the section text (not NUL-terminated) */
    size_t len;
    unsigned first_line; /* file line of sql[0] */
    int transaction;     /* 0: statement by statement, autocommit */
    /*
     * Transactional sections only: statements to run just before and just
     * after the section, in the same round trip where the backend can
     * (e.g. "BEGIN" and the version/log rows plus "COMMIT"). NULL: none.
     * n_prologue is the number of statements in prologue.
     */
    const char *prologue;
    unsigned n_prologue;
    const char *epilogue;
} mb_script;

/* What a failed exec_script leaves besides the error. */
typedef struct mb_exec_info {
    size_t done;         /* statements that completed */
    size_t total;        /* statements in the section; 0 when unknown */
} mb_exec_info;

typedef struct mb_backend {
    const char *scheme; /* "sqlite" */
    int dialect;        /* enum mb_dialect */
    int batch;          /* 1: a script's prologue and epilogue travel in
                         * its round trip (worth doing for each step) */
    int group_commit;   /* 1: revisions may share a transaction, each in a
                         * savepoint (a writer holds the whole database
                         * anyway, and a commit costs fsyncs) */
    /** Open url (the whole URL, scheme included). */
    int (*connect)(mb_conn **out, const char *url, const mb_connect_opts *o,
                   mb_error *err);
    void (*close)(mb_conn *c); /* accepts NULL */
    /**
     * Serialise runners until unlock (waits up to the lock timeout).
     * key identifies what is locked (derived from the version table's
     * qualified name); a backend may lock something coarser.
     */
    int (*lock)(mb_conn *c, const char *key, mb_error *err);
    void (*unlock)(mb_conn *c);
    int (*begin)(mb_conn *c, mb_error *err);
    int (*commit)(mb_conn *c, mb_error *err);
    void (*rollback)(mb_conn *c);
    /**
     * Run one statement with text parameters $1..$n (never pasted into the
     * SQL). out may be NULL when no rows are wanted.
     */
    int (*query)(mb_conn *c, const char *sql, int nparams,
                 const char *const *params, mb_rows *out, mb_error *err);
    /**
     * Run a revision section; errors carry FILE:LINE of the statement.
     * info (may be NULL) tells how far a failed section got.
     */
    int (*exec_script)(mb_conn *c, const mb_script *s, mb_exec_info *info,
                       mb_error *err);
    /**
     * *out = 1 when the table exists (0 also for a missing database).
     * schema NULL: where an unqualified CREATE TABLE would put it.
     */
    int (*table_exists)(mb_conn *c, const char *schema, const char *name,
                        int *out, mb_error *err);
    /** Append name quoted as an identifier. */
    int (*quote_ident)(mb_conn *c, mb_buf *out, const char *name,
                       mb_error *err);
    /** Append value quoted as a string literal (NULL: SQL NULL). */
    int (*quote_literal)(mb_conn *c, mb_buf *out, const char *value,
                         mb_error *err);
    /**
     * Ask the call in progress to stop soon: cancel the statement that
     * runs (it then fails; its transaction can be rolled back) and give
     * up waiting for the lock. Async-signal-safe: for a signal handler.
     * Does nothing when nothing runs.
     */
    void (*interrupt)(mb_conn *c);
} mb_backend;

extern const mb_backend mb_backend_sqlite;
extern const mb_backend mb_backend_postgres;

/** The backend for url's scheme; MB_EUSAGE naming the schemes if none. */
int mb_backend_for_url(const mb_backend **out, const char *url,
                       mb_error *err);

/**
 * quote_ident and quote_literal of a backend whose SQL quotes as the
 * standard does: SQLite, and PostgreSQL with standard_conforming_strings
 * on (the scripts of --sql, which have no connection to ask). The value
 * goes between quotes (" or '), each such quote inside it doubled; a
 * NULL literal is NULL. c is not used.
 */
int mb_sql_quote_ident(mb_conn *c, mb_buf *out, const char *name,
                       mb_error *err);
int mb_sql_quote_literal(mb_conn *c, mb_buf *out, const char *value,
                         mb_error *err);

/** Current UTC time as ISO-8601 with microseconds: 2026-01-16T10:00:00.000000Z */
void mb_now_iso(char out[32]);

#endif

/*
 * mb/error.h -- status codes and the caller-owned error record.
 *
 * Every function that can fail returns MB_OK (0) or a negative mb_status
 * and fills the mb_error the caller passed in. Setting an error never
 * allocates, so an out-of-memory failure can still be reported. Messages
 * follow PostgreSQL's style: a short lower-case primary message without a
 * final period, an optional detail and an optional hint saying what would
 * be right.
 */
#ifndef MB_ERROR_H
#define MB_ERROR_H

#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define MB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MB_PRINTF(f, a)
#endif

typedef enum mb_status {
    MB_OK = 0,
    MB_ERROR = -1,      /* generic failure */
    MB_ENOMEM = -2,     /* allocation failed */
    MB_EIO = -3,        /* file system */
    MB_EPARSE = -4,     /* malformed revision file */
    MB_EGRAPH = -5,     /* duplicate, unknown parent, cycle, ... */
    MB_ETARGET = -6,    /* unknown / ambiguous target, irreversible step */
    MB_EINTEGRITY = -7, /* checksum mismatch, unknown applied revision */
    MB_EDB = -8,        /* database or SQL error */
    MB_ELOCKED = -9,    /* lock not acquired in time */
    MB_EUSAGE = -10,    /* bad option or argument */
    MB_ECONN = -11,     /* the database session was lost mid-run */
    MB_EINTR = -12      /* stopped by a signal (SIGTERM, SIGINT) */
} mb_status;

typedef struct mb_error {
    mb_status code;
    char file[256];    /* revision path, or "" when not about a file */
    int line;          /* 1-based; 0 when not applicable */
    char msg[512];     /* primary message */
    char detail[1024]; /* optional: server text, offending line, list */
    char hint[512];    /* optional: what would be right */
    int column;        /* 1-based character in the line; 0: none. Only
                        * set by who knows it (the bundler's PostgreSQL
                        * parser pass), after mb_error_at() */
} mb_error;

#define MB_ERROR_INIT {MB_OK, "", 0, "", "", "", 0}

/**
 * Set the primary message (clearing file, line, detail and hint).
 * @return code, so that `return mb_error_set(err, MB_EIO, ...)` works.
 * err may be NULL, in which case only the code is returned.
 */
int mb_error_set(mb_error *err, mb_status code, const char *fmt, ...)
    MB_PRINTF(3, 4);

/** Like mb_error_set() and also record FILE:LINE of the offender. */
int mb_error_at(mb_error *err, mb_status code, const char *file, int line,
                const char *fmt, ...) MB_PRINTF(5, 6);

/** Set the detail text of an error already set. */
void mb_error_detail(mb_error *err, const char *fmt, ...) MB_PRINTF(2, 3);

/** Set the hint text of an error already set. */
void mb_error_hint(mb_error *err, const char *fmt, ...) MB_PRINTF(2, 3);

/** Reset to MB_ERROR_INIT. */
void mb_error_clear(mb_error *err);

/**
 * Print the error to fp as
 *   PROG: error: FILE:LINE: message     (FILE:LINE:COLUMN with a column)
 *   PROG: detail: ...
 *   PROG: hint: ...
 * (detail and hint only when set; every line of a multi-line detail is
 * prefixed).
 */
void mb_error_print(const mb_error *err, const char *prog, FILE *fp);

/** Short name of a status ("integrity", "database", ...). */
const char *mb_status_name(int code);

#endif

/*
 * mb/log.h -- what the runtime has to say while it runs, handed to its
 * caller.
 *
 * The library never writes to stdout or stderr. The lines a run reports
 * as it goes (each revision it applies, how the run ended, a wait for a
 * lock or for the server, a crash it recovered from, a notice the server
 * sent, a log row it could not write) go to the mb_logger its caller put
 * in mb_ctx and in mb_connect_opts, one call per message, in the manner
 * of libpq's notice receiver and sqlite3_log(). The caller decides what to show and where: app-migrate
 * writes each message to stderr behind "PROG: " and, with -q, only the
 * warnings. A NULL logger, or one whose fn is NULL, is silence.
 */
#ifndef MB_LOG_H
#define MB_LOG_H

#include "mb/error.h"

enum mb_log_level {
    MB_LOG_PROGRESS = 0, /* what the run does and did: a step, the end */
    MB_LOG_NOTICE = 1,   /* a message of the database server, led by its
                          * severity in lower case ("notice: ...") */
    MB_LOG_WARNING = 2   /* a failure that does not fail the run */
};

/**
 * Receives one message: level is an enum mb_log_level, msg the text
 * without a final newline, borrowed for the call. Called on the thread
 * that called the library, never from a signal handler.
 */
typedef void (*mb_log_fn)(void *arg, int level, const char *msg);

typedef struct mb_logger {
    mb_log_fn fn; /* NULL: drop every message */
    void *arg;    /* passed to fn as is */
} mb_logger;

/**
 * Format a message and hand it to log->fn; nothing at all when log or
 * log->fn is NULL. A message longer than a few hundred bytes is
 * formatted again into an allocation of its size; if that fails, its
 * beginning is passed on rather than nothing.
 */
void mb_log(const mb_logger *log, int level, const char *fmt, ...)
    MB_PRINTF(3, 4);

#endif

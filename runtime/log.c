/*
 * log.c -- format a message for the caller's log callback (see
 * mb/log.h).
 *
 * Most messages are one short line, formatted on the stack. A longer one
 * (a server notice has no length limit) is formatted a second time, into
 * an allocation of its exact size, so that the caller gets every byte.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mb/alloc.h"
#include "mb/log.h"

void mb_log(const mb_logger *log, int level, const char *fmt, ...)
{
    char line[512], *big = NULL;
    va_list ap;
    int n;

    if (log == NULL || log->fn == NULL)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) {
        big = mb_malloc((size_t)n + 1);
        if (big != NULL) {
            va_start(ap, fmt);
            vsnprintf(big, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    log->fn(log->arg, level, big != NULL ? big : line);
    free(big);
}

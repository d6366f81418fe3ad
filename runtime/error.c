/*
 * error.c -- filling and printing mb_error records.
 *
 * Nothing here allocates: messages are formatted into the fixed buffers of
 * the caller's mb_error, truncated if they do not fit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mb/error.h"

static void vset(char *dst, size_t size, const char *fmt, va_list ap)
    MB_PRINTF(3, 0);

static void vset(char *dst, size_t size, const char *fmt, va_list ap)
{
    if (vsnprintf(dst, size, fmt, ap) < 0)
        dst[0] = '\0';
}

int mb_error_set(mb_error *err, mb_status code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    mb_error_clear(err);
    err->code = code;
    va_start(ap, fmt);
    vset(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

int mb_error_at(mb_error *err, mb_status code, const char *file, int line,
                const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    mb_error_clear(err);
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    va_start(ap, fmt);
    vset(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void mb_error_detail(mb_error *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vset(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

void mb_error_hint(mb_error *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vset(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

void mb_error_clear(mb_error *err)
{
    if (err == NULL)
        return;
    err->code = MB_OK;
    err->file[0] = '\0';
    err->line = 0;
    err->msg[0] = '\0';
    err->detail[0] = '\0';
    err->hint[0] = '\0';
    err->column = 0;
}

/* Print text line by line, each line prefixed with "PROG: LABEL: ". */
static void print_lines(FILE *fp, const char *prog, const char *label,
                        const char *text)
{
    const char *p = text;

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);

        fprintf(fp, "%s: %s: %.*s\n", prog, label, n, p);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

void mb_error_print(const mb_error *err, const char *prog, FILE *fp)
{
    if (err->file[0] != '\0' && err->line > 0 && err->column > 0)
        fprintf(fp, "%s: error: %s:%d:%d: %s\n", prog, err->file, err->line,
                err->column, err->msg);
    else if (err->file[0] != '\0' && err->line > 0)
        fprintf(fp, "%s: error: %s:%d: %s\n", prog, err->file, err->line,
                err->msg);
    else if (err->file[0] != '\0')
        fprintf(fp, "%s: error: %s: %s\n", prog, err->file, err->msg);
    else
        fprintf(fp, "%s: error: %s\n", prog, err->msg);
    print_lines(fp, prog, "detail", err->detail);
    print_lines(fp, prog, "hint", err->hint);
}

const char *mb_status_name(int code)
{
    switch (code) {
    case MB_OK: return "ok";
    case MB_ENOMEM: return "out of memory";
    case MB_EIO: return "i/o";
    case MB_EPARSE: return "parse";
    case MB_EGRAPH: return "graph";
    case MB_ETARGET: return "target";
    case MB_EINTEGRITY: return "integrity";
    case MB_EDB: return "database";
    case MB_ELOCKED: return "lock";
    case MB_EUSAGE: return "usage";
    case MB_ECONN: return "connection lost";
    case MB_EINTR: return "interrupted";
    default: return "error";
    }
}

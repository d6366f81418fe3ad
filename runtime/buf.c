/*
 * buf.c -- growable NUL-terminated buffer with a hard cap (see mb/buf.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/buf.h"

int mb_buf_grow(mb_buf *b, size_t extra, mb_error *err)
{
    size_t max = b->max ? b->max : MB_BUF_DEFAULT_MAX;
    size_t need, cap;
    char *p;

    if (extra > max || b->len > max - extra) {
        mb_buf_free(b);
        return mb_error_set(err, MB_ENOMEM,
                            "buffer would exceed its limit of %zu bytes", max);
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return MB_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = mb_realloc(b->ptr, cap);
    if (p == NULL) {
        mb_buf_free(b);
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    }
    b->ptr = p;
    b->cap = cap;
    return MB_OK;
}

int mb_buf_put(mb_buf *b, const void *data, size_t len, mb_error *err)
{
    int rc;

    if ((rc = mb_buf_grow(b, len, err)) < 0)
        return rc;
    if (len > 0)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return MB_OK;
}

int mb_buf_puts(mb_buf *b, const char *s, mb_error *err)
{
    return mb_buf_put(b, s, strlen(s), err);
}

int mb_buf_printf(mb_buf *b, mb_error *err, const char *fmt, ...)
{
    size_t room = b->ptr != NULL ? b->cap - b->len : 0;
    size_t max = b->max ? b->max : MB_BUF_DEFAULT_MAX;
    va_list ap;
    int n, rc;

    /* format once into the room there is; a second time only when the
     * text did not fit (or would pass the limit, which mb_buf_grow
     * reports) */
    va_start(ap, fmt);
    n = vsnprintf(room ? b->ptr + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < room && b->len <= max &&
        (size_t)n <= max - b->len) {
        b->len += (size_t)n;
        return MB_OK;
    }
    if (room)
        b->ptr[b->len] = '\0';
    if (n < 0) {
        mb_buf_free(b);
        return mb_error_set(err, MB_ERROR, "could not format text");
    }
    if ((rc = mb_buf_grow(b, (size_t)n, err)) < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return MB_OK;
}

void mb_buf_clear(mb_buf *b)
{
    b->len = 0;
    if (b->ptr != NULL)
        b->ptr[0] = '\0';
}

char *mb_buf_take(mb_buf *b, size_t *plen)
{
    char *p = b->ptr;

    if (plen != NULL)
        *plen = b->len;
    if (p == NULL)
        p = mb_calloc(1, 1);
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

void mb_buf_free(mb_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

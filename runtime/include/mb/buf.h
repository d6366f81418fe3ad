/*
 * mb/buf.h -- growable, always NUL-terminated byte buffer with a hard cap.
 *
 * A value type: declare with MB_BUF_INIT, grow with the put functions,
 * release with mb_buf_free() or move the memory out with mb_buf_take().
 * On any failure the buffer frees itself and returns to MB_BUF_INIT, so the
 * caller never has a half-built value to clean up.
 */
#ifndef MB_BUF_H
#define MB_BUF_H

#include <stddef.h>
#include "mb/error.h"

#define MB_BUF_DEFAULT_MAX ((size_t)1 << 30) /* 1 GiB unless set */

typedef struct mb_buf {
    char *ptr;   /* NUL-terminated once anything was put; NULL before */
    size_t len;  /* bytes, excluding the terminator */
    size_t cap;  /* bytes allocated */
    size_t max;  /* hard limit for len; 0 means MB_BUF_DEFAULT_MAX */
} mb_buf;

#define MB_BUF_INIT {NULL, 0, 0, 0}

/** Make room for extra more bytes (plus the terminator). */
int mb_buf_grow(mb_buf *b, size_t extra, mb_error *err);
/** Append len bytes. */
int mb_buf_put(mb_buf *b, const void *data, size_t len, mb_error *err);
/** Append a NUL-terminated string. */
int mb_buf_puts(mb_buf *b, const char *s, mb_error *err);
/** Append formatted text. */
int mb_buf_printf(mb_buf *b, mb_error *err, const char *fmt, ...)
    MB_PRINTF(3, 4);
/** Forget the contents, keep the allocation. */
void mb_buf_clear(mb_buf *b);
/**
 * Move the memory out: the caller owns the returned pointer (free()), the
 * buffer is reset to MB_BUF_INIT. Returns an allocated "" when empty, or
 * NULL if that allocation fails. plen may be NULL.
 */
char *mb_buf_take(mb_buf *b, size_t *plen);
/** Release the memory; accepts a buffer already freed. */
void mb_buf_free(mb_buf *b);

#endif

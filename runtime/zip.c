/*
 * zip.c -- zlib deflate/inflate with exact, checked lengths (see mb/zip.h).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "mb/alloc.h"
#include "mb/zip.h"

/* zlib allocates through mb/alloc.h too, so that its allocations can fail
 * in a test build like any other. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return mb_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    free(p);
}

/* A zeroed stream that allocates through z_alloc, or NULL. */
static z_stream *new_stream(void)
{
    z_stream *zs = mb_calloc(1, sizeof *zs);

    if (zs != NULL) {
        zs->zalloc = z_alloc;
        zs->zfree = z_free;
    }
    return zs;
}

/* Compress data into out (room for compressBound) through *zsp, which
 * is created with strategy on first use and reset afterwards. */
static int deflate_with(void **zsp, mb_buf *out, const void *data,
                        size_t len, int strategy)
{
    z_stream *zs = *zsp;
    int zrc;

    if (zs == NULL) {
        zs = new_stream();
        if (zs == NULL)
            return Z_MEM_ERROR;
        if (deflateInit2(zs, 9, Z_DEFLATED, 15, 9, strategy) != Z_OK) {
            free(zs);
            return Z_MEM_ERROR;
        }
        *zsp = zs;
    } else if (deflateReset(zs) != Z_OK) {
        return Z_STREAM_ERROR;
    }
    zs->next_in = (Bytef *)(uintptr_t)data;
    zs->avail_in = (uInt)len;
    zs->next_out = (Bytef *)out->ptr;
    zs->avail_out = (uInt)(out->cap - 1);
    zrc = deflate(zs, Z_FINISH);
    out->len = zs->total_out;
    return zrc == Z_STREAM_END ? Z_OK : Z_BUF_ERROR;
}

/*
 * Small payloads are stored with fixed Huffman codes unless dynamic codes
 * save more than an eighth: a fixed-code stream needs no code tables to
 * inflate, which is a large part of inflating a few hundred bytes. Large
 * payloads always take the dynamic stream.
 */
#define FIXED_LIMIT 16384

int mb_deflater_run(mb_deflater *d, mb_buf *out, const void *data,
                    size_t len, mb_error *err)
{
    mb_buf fixed = MB_BUF_INIT;
    uLong bound;
    int rc, zrc;

    if ((uInt)len != len)
        return mb_error_set(err, MB_ERROR, "payload too large to compress");
    bound = compressBound((uLong)len);
    mb_buf_clear(out);
    if ((rc = mb_buf_grow(out, bound, err)) < 0)
        return rc;
    if ((zrc = deflate_with(&d->dynamic, out, data, len,
                            Z_DEFAULT_STRATEGY)) != Z_OK)
        goto fail;
    if (len <= FIXED_LIMIT) {
        if ((rc = mb_buf_grow(&fixed, bound, err)) < 0) {
            mb_buf_free(out);
            return rc;
        }
        if ((zrc = deflate_with(&d->fixed, &fixed, data, len, Z_FIXED)) !=
            Z_OK) {
            mb_buf_free(&fixed);
            goto fail;
        }
        if (fixed.len <= out->len + out->len / 8) {
            mb_buf_free(out);
            *out = fixed;
        } else {
            mb_buf_free(&fixed);
        }
    }
    out->ptr[out->len] = '\0';
    return MB_OK;
fail:
    mb_buf_free(out);
    if (zrc == Z_MEM_ERROR)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    return mb_error_set(err, MB_ERROR, "zlib could not compress");
}

void mb_deflater_free(mb_deflater *d)
{
    if (d->dynamic != NULL) {
        deflateEnd(d->dynamic);
        free(d->dynamic);
    }
    if (d->fixed != NULL) {
        deflateEnd(d->fixed);
        free(d->fixed);
    }
    d->dynamic = d->fixed = NULL;
}

int mb_zip_deflate(mb_buf *out, const void *data, size_t len, mb_error *err)
{
    mb_deflater d = MB_DEFLATER_INIT;
    int rc = mb_deflater_run(&d, out, data, len, err);

    mb_deflater_free(&d);
    return rc;
}

int mb_zip_inflate(mb_buf *out, const void *z, size_t z_len, size_t raw_len,
                   mb_error *err)
{
    mb_inflater inf = MB_INFLATER_INIT;
    int rc = mb_inflater_run(&inf, out, z, z_len, raw_len, err);

    mb_inflater_free(&inf);
    return rc;
}

#define INFLATE_SLACK 512

int mb_inflater_run(mb_inflater *inf, mb_buf *out, const void *z,
                    size_t z_len, size_t raw_len, mb_error *err)
{
    z_stream *zs = inf->stream;
    int rc, zrc;

    if ((uInt)z_len != z_len || (uInt)raw_len != raw_len)
        return mb_error_set(err, MB_EINTEGRITY, "payload length invalid");
    if (zs == NULL) {
        zs = new_stream();
        if (zs == NULL || inflateInit(zs) != Z_OK) {
            free(zs);
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        }
        inf->stream = zs;
    } else if (inflateReset(zs) != Z_OK) {
        return mb_error_set(err, MB_ERROR, "zlib could not reset");
    }
    /* Spare room past raw_len lets zlib use its fast loop (it needs 258
     * bytes of output space) and shows a stream that is too long. */
    mb_buf_clear(out);
    if ((rc = mb_buf_grow(out, raw_len + INFLATE_SLACK, err)) < 0)
        return rc;
    zs->next_in = (Bytef *)(uintptr_t)z;
    zs->avail_in = (uInt)z_len;
    zs->next_out = (Bytef *)out->ptr;
    zs->avail_out = (uInt)(raw_len + INFLATE_SLACK);
    zrc = inflate(zs, Z_FINISH);
    if (zrc == Z_MEM_ERROR) {
        mb_buf_clear(out);
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    }
    if (zrc != Z_STREAM_END || zs->total_out != raw_len ||
        zs->avail_in != 0) {
        mb_buf_clear(out);
        return mb_error_set(err, MB_EINTEGRITY,
                            "compressed payload is corrupt (%s)",
                            zrc == Z_STREAM_END ? "wrong length"
                            : zs->msg ? zs->msg : zError(zrc));
    }
    out->len = raw_len;
    out->ptr[out->len] = '\0';
    return MB_OK;
}

void mb_inflater_free(mb_inflater *inf)
{
    if (inf->stream != NULL) {
        inflateEnd(inf->stream);
        free(inf->stream);
        inf->stream = NULL;
    }
}

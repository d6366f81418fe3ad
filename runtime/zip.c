/*
 * zip.c -- zlib deflate/inflate with exact, checked lengths (see mb/zip.h).
 */
#include <limits.h>
#include <zlib.h>

#include "mb/zip.h"

int mb_zip_deflate(mb_buf *out, const void *data, size_t len, mb_error *err)
{
    uLongf zlen;
    int rc;

    if ((uLong)len != len)
        return mb_error_set(err, MB_ERROR, "payload too large to compress");
    zlen = compressBound((uLong)len);
    mb_buf_clear(out);
    if ((rc = mb_buf_grow(out, zlen, err)) < 0)
        return rc;
    if (compress2((Bytef *)out->ptr, &zlen, data, (uLong)len, 9) != Z_OK) {
        mb_buf_free(out);
        return mb_error_set(err, MB_ERROR, "zlib could not compress");
    }
    out->len = zlen;
    out->ptr[out->len] = '\0';
    return MB_OK;
}

int mb_zip_inflate(mb_buf *out, const void *z, size_t z_len, size_t raw_len,
                   mb_error *err)
{
    uLongf got = (uLongf)raw_len;
    int rc, zrc;

    if ((uLong)z_len != z_len || (uLongf)raw_len != raw_len)
        return mb_error_set(err, MB_EINTEGRITY, "payload length invalid");
    mb_buf_clear(out);
    if ((rc = mb_buf_grow(out, raw_len, err)) < 0)
        return rc;
    /* A stream longer than raw_len fails with Z_BUF_ERROR. */
    zrc = uncompress((Bytef *)out->ptr, &got, z, (uLong)z_len);
    if (zrc != Z_OK || got != raw_len) {
        mb_buf_clear(out);
        return mb_error_set(err, MB_EINTEGRITY,
                            "compressed payload is corrupt (%s)",
                            zrc == Z_OK ? "wrong length" : zError(zrc));
    }
    out->len = raw_len;
    out->ptr[out->len] = '\0';
    return MB_OK;
}

/*
 * mb/zip.h -- zlib compression of revision payloads with exact lengths.
 */
#ifndef MB_ZIP_H
#define MB_ZIP_H

#include <stddef.h>
#include "mb/buf.h"

/** Replace out's contents with the zlib stream of data (level 9). */
int mb_zip_deflate(mb_buf *out, const void *data, size_t len, mb_error *err);

/**
 * A reusable deflater: zlib's compressor state is about 0.5 MiB, so
 * bundling many revisions resets two streams (deflateReset) instead of
 * setting them up for each payload. MB_DEFLATER_INIT, mb_deflater_run()
 * any number of times, then mb_deflater_free().
 */
typedef struct mb_deflater {
    void *dynamic; /* z_stream with the default strategy */
    void *fixed;   /* z_stream with Z_FIXED, for small payloads */
} mb_deflater;

#define MB_DEFLATER_INIT {NULL, NULL}

/** Like mb_zip_deflate(), through the reusable streams. */
int mb_deflater_run(mb_deflater *d, mb_buf *out, const void *data,
                    size_t len, mb_error *err);
void mb_deflater_free(mb_deflater *d);

/**
 * Replace out's contents with the inflated z[0..z_len), which must be
 * exactly raw_len bytes; anything else is MB_EINTEGRITY.
 */
int mb_zip_inflate(mb_buf *out, const void *z, size_t z_len, size_t raw_len,
                   mb_error *err);

/**
 * A reusable inflater: inflating many small payloads through one stream
 * (inflateReset instead of a new stream per payload) avoids zlib's setup
 * and allocations each time. MB_INFLATER_INIT, then mb_inflater_run()
 * any number of times, then mb_inflater_free().
 */
typedef struct mb_inflater {
    void *stream; /* z_stream, allocated on first use */
} mb_inflater;

#define MB_INFLATER_INIT {NULL}

/** Like mb_zip_inflate(), through the reusable stream. */
int mb_inflater_run(mb_inflater *inf, mb_buf *out, const void *z,
                    size_t z_len, size_t raw_len, mb_error *err);
void mb_inflater_free(mb_inflater *inf);

#endif

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
 * Replace out's contents with the inflated z[0..z_len), which must be
 * exactly raw_len bytes; anything else is MB_EINTEGRITY.
 */
int mb_zip_inflate(mb_buf *out, const void *z, size_t z_len, size_t raw_len,
                   mb_error *err);

#endif

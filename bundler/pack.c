/*
 * pack.c -- compress parsed revisions into the payloads of a bundle.
 *
 * The self-check after deflate is the build-time half of invariant 1 (no
 * SQL runs unless its checksum was verified): the runtime repeats it on
 * every payload it inflates.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mb/checksum.h"
#include "mb/zip.h"
#include "pack.h"
#include "scan.h"

/* Deflate rev's text into the arena and prove the stream inflates back. */
static int pack_one(mb_revision *out, mb_arena *arena, const mb_revision *rev,
                    const char *shown, mb_deflater *def, mb_inflater *inf,
                    mb_buf *z, mb_buf *back, mb_error *err)
{
    char sum[MB_CHECKSUM_HEX + 1];
    mb_buf path = MB_BUF_INIT;
    unsigned char *data;
    int rc;

    *out = *rev;
    if ((rc = mb_deflater_run(def, z, rev->data, rev->raw_len, err)) < 0 ||
        (rc = mb_inflater_run(inf, back, z->ptr, z->len, rev->raw_len,
                              err)) < 0)
        goto done;
    mb_checksum_hex(sum, back->ptr, back->len);
    if (back->len != rev->raw_len ||
        memcmp(back->ptr, rev->data, rev->raw_len) != 0 ||
        strcmp(sum, rev->checksum) != 0) {
        rc = mb_error_set(err, MB_EINTEGRITY,
                          "compressed payload does not reproduce the "
                          "revision");
        mb_error_detail(err, "checksum %s expected, %s after the zlib round "
                        "trip", rev->checksum, sum);
        mb_error_hint(err, "this is a bug in migbundle or zlib; please "
                      "report it");
        goto done;
    }
    data = mb_arena_alloc(arena, z->len);
    if (data == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(data, z->ptr, z->len);
    out->data = data;
    out->z_len = z->len;
done:
    /* Name the revision file in the errors of the zlib layer. */
    if (rc < 0 && rc != MB_ENOMEM && err != NULL &&
        mb_scan_join(&path, shown, rev->path, NULL) == MB_OK)
        snprintf(err->file, sizeof err->file, "%s", path.ptr);
    mb_buf_free(&path);
    return rc;
}

int mb_pack(mb_packed *out, const mb_revision *revs, size_t n,
            const char *shown, mb_error *err)
{
    mb_buf z = MB_BUF_INIT, back = MB_BUF_INIT;
    mb_deflater def = MB_DEFLATER_INIT;
    mb_inflater inf = MB_INFLATER_INIT;
    size_t i;
    int rc = MB_OK;

    *out = (mb_packed)MB_PACKED_INIT;
    if (n > SIZE_MAX / sizeof *out->revs) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    out->revs = mb_arena_alloc(&out->arena, (n ? n : 1) * sizeof *out->revs);
    if (out->revs == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        if ((rc = pack_one(&out->revs[i], &out->arena, &revs[i], shown,
                           &def, &inf, &z, &back, err)) < 0)
            goto done;
    }
    out->n = n;
    rc = mb_bundle_digest(out->digest, out->revs, n, err);
done:
    mb_deflater_free(&def);
    mb_inflater_free(&inf);
    mb_buf_free(&z);
    mb_buf_free(&back);
    if (rc < 0)
        mb_pack_free(out);
    return rc;
}

void mb_pack_free(mb_packed *p)
{
    mb_arena_free(&p->arena);
    *p = (mb_packed)MB_PACKED_INIT;
}

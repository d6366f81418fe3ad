/*
 * pack.h -- compress parsed revisions into the payloads of a bundle.
 *
 * Each revision's canonical text is deflated, then inflated again and
 * rehashed, so a bundle never embeds a payload that does not reproduce
 * its checksum. The bundle digest is computed over the result.
 */
#ifndef MB_PACK_H
#define MB_PACK_H

#include <stddef.h>
#include "mb/arena.h"
#include "mb/bundle.h"
#include "mb/error.h"

typedef struct mb_packed {
    mb_arena arena;      /* owns revs and every zlib stream */
    mb_revision *revs;   /* copies of the input with data/z_len replaced */
    size_t n;
    char digest[MB_CHECKSUM_HEX + 1];
} mb_packed;

#define MB_PACKED_INIT {MB_ARENA_INIT, NULL, 0, ""}

/**
 * Pack revs[0..n), uncompressed revisions as parsed (z_len == 0). Strings
 * and arrays other than the payload stay borrowed from revs.
 *
 * @param out    filled on success; free with mb_pack_free (also after a
 *               failure, which leaves it empty)
 * @param shown  DIR as the user gave it, to name files in errors
 * @return MB_OK, MB_EINTEGRITY (round trip failed), MB_ERROR or MB_ENOMEM
 */
int mb_pack(mb_packed *out, const mb_revision *revs, size_t n,
            const char *shown, mb_error *err);

/** Release everything; accepts MB_PACKED_INIT. */
void mb_pack_free(mb_packed *p);

#endif

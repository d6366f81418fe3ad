/*
 * emit.h -- write the generated C source and its depfile.
 *
 * The generated file is the serialisation of one mb_bundle (mb/bundle.h).
 * It is deterministic: the same bundle gives the same bytes whatever the
 * locale, time zone, working directory or host.
 */
#ifndef MB_EMIT_H
#define MB_EMIT_H

#include <stddef.h>
#include "mb/buf.h"
#include "mb/bundle.h"
#include "scan.h"

/**
 * Append the C source defining `mb_embedded_bundle` as b to out, with the
 * metadata checksums computed here. The revisions must be compressed
 * (z_len > 0) and their ids valid C identifier tails
 * ([A-Za-z0-9_]{1,MB_ID_MAX}); anything else is MB_ERROR. sign_key: NULL,
 * or the PEM file of the Ed25519 key that signs the release (signer.h; its
 * errors are MB_EUSAGE).
 */
int mb_emit_c(mb_buf *out, const mb_bundle *b, const char *sign_key,
              mb_error *err);

/**
 * Append a make-syntax depfile to out: `TARGET: DEP...` where the
 * dependencies are the scanned directory, every directory under it and
 * every revision file, as absolute paths (a relative DIR is taken from the
 * current directory). Directories are listed so that adding or deleting a
 * file (which changes its directory's mtime) triggers a rebuild. Like gcc
 * -MP, an empty rule follows for each dependency, so that make does not
 * fail when one is deleted.
 */
int mb_emit_depfile(mb_buf *out, const char *target, const mb_scan *scan,
                    mb_error *err);

/**
 * Make path hold exactly text[0..len): leave it alone when it already
 * does (keeping its mtime), else write a temporary file beside it and
 * rename it over path. *changed is 1 when path was written.
 */
int mb_emit_write(const char *path, const char *text, size_t len,
                  int *changed, mb_error *err);

#endif

/*
 * revfile.h -- parse one revision file into an mb_revision.
 *
 * The format (docs/format.md): a leading `--` header block (message line,
 * empty `--` line, `-- Key: value` lines with the keys Revision ID,
 * Revises, Create Date, Branch Labels, Depends On, then optional free
 * text), followed by `-- migrate:up` and `-- migrate:down` sections with
 * the options transaction:false and dialect:postgresql|sqlite.
 *
 * The parser works on the canonical form (see checksum.h), so line numbers
 * are those of the file as written. Every error names FILE:LINE, says what
 * is wrong and, in the hint, what would be right.
 *
 * Build-time only: the runtime never parses a revision file, it reads
 * the records embedded in its bundle (mb/revision.h).
 */
#ifndef MB_REVFILE_H
#define MB_REVFILE_H

#include <stddef.h>
#include "mb/arena.h"
#include "mb/bundle.h"
#include "mb/error.h"

#define MB_REVFILE_MAX ((size_t)64 << 20) /* 64 MiB per file */

/**
 * Parse a revision file.
 *
 * @param out    filled on success. Every string, array and section it
 *               points to, and the canonical text (out->data, with
 *               out->z_len == 0), is allocated from arena.
 * @param arena  owns everything the parser allocates, also on failure
 * @param path   path relative to the migrations directory (out->path)
 * @param shown  path to print in errors (e.g. DIR/path); NULL: path
 * @param data   the raw bytes of the file
 * @param len    their length; more than MB_REVFILE_MAX is an error
 * @return MB_OK, MB_EPARSE (err names FILE:LINE) or MB_ENOMEM
 */
int mb_revfile_parse(mb_revision *out, mb_arena *arena, const char *path,
                     const char *shown, const char *data, size_t len,
                     mb_error *err);

/*
 * A revision being written: its up section may still be empty (the
 * authoring commands read the graph of files that `revision` wrote and
 * nobody has filled yet; build and check refuse them).
 */
#define MB_REVFILE_DRAFT 1u

/** mb_revfile_parse with flags (MB_REVFILE_DRAFT, or 0). */
int mb_revfile_parse_flags(mb_revision *out, mb_arena *arena,
                           const char *path, const char *shown,
                           const char *data, size_t len, unsigned flags,
                           mb_error *err);

#endif

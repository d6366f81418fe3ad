/*
 * mb/revfile.h -- parse one revision file into an mb_revision.
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
 */
#ifndef MB_REVFILE_H
#define MB_REVFILE_H

#include <stddef.h>
#include "mb/arena.h"
#include "mb/bundle.h"
#include "mb/error.h"

#define MB_REVFILE_MAX ((size_t)64 << 20) /* 64 MiB per file */
#define MB_REVFILE_MAX_ITEMS 256          /* parents, depends, labels */
/* sections of one revision: {up, down} x {any, postgresql, sqlite} */
#define MB_REVFILE_MAX_SECTIONS 6

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

/**
 * The section to run for kind on dialect: the dialect-specific one when
 * the revision has it, else the generic one, else NULL (for MB_SECTION_DOWN
 * that means irreversible).
 */
const mb_section *mb_revision_section(const mb_revision *rev, int kind,
                                      int dialect);

/** 1 when the revision has a down section usable on any dialect given. */
int mb_revision_reversible(const mb_revision *rev, int dialect);

#endif

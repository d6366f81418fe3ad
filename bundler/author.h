/*
 * author.h -- write a new revision file: `migbundle revision` and
 * `migbundle merge`.
 *
 * Alembic 1.8's ScriptDirectory.generate_revision is the model: the new
 * revision's parents are what --head names (default "head"; a merge names
 * several), each must be a head unless splice, Depends On is resolved to
 * full ids, the id is 12 random hex digits unless given, and the file is
 * DIR/<id>_<slug>.sql with Alembic's slug. The header is checked by the
 * revision-file parser and the graph it joins before anything is written;
 * the file is created exclusively, never overwritten.
 */
#ifndef MB_AUTHOR_H
#define MB_AUTHOR_H

#include <time.h>
#include "check.h"
#include "mb/buf.h"

#define MB_AUTHOR_MAX_LIST 64 /* --head, --depends-on, --branch-label */
#define MB_SLUG_MAX 40        /* Alembic's truncate_slug_length */

typedef struct mb_author {
    const char *message;          /* NULL: "empty message", as Alembic */
    const char *heads[MB_AUTHOR_MAX_LIST]; /* targets; none: "head" */
    size_t n_heads;
    int splice;                   /* a parent need not be a head */
    int merge;                    /* `merge`: heads are what to merge */
    const char *labels[MB_AUTHOR_MAX_LIST];
    size_t n_labels;
    const char *depends_on[MB_AUTHOR_MAX_LIST];
    size_t n_depends_on;
    const char *rev_id;           /* NULL: 12 random hex digits */
    time_t created;               /* the Create Date (UTC) */
} mb_author;

/**
 * Alembic's file-name slug of message into out (size > MB_SLUG_MAX + 1):
 * its runs of ASCII letters, digits and "_" joined by "_", lowercased;
 * over MB_SLUG_MAX characters it is cut there, back to the last "_",
 * which is kept.
 */
void mb_author_slug(char *out, size_t size, const char *message);

/**
 * The Create Date: SOURCE_DATE_EPOCH when set (whole seconds since the
 * epoch), else the clock. MB_EUSAGE when SOURCE_DATE_EPOCH is malformed.
 */
int mb_author_now(time_t *out, mb_error *err);

/**
 * Write the new revision file of a into p's directory; its path, as
 * DIR/NAME, goes to path. MB_EUSAGE (nothing written) when Alembic
 * would refuse: several heads and no head given, a parent that is not a
 * head without splice, a duplicate parent, an unknown or ambiguous
 * target, an invalid or taken id or label, a message of several lines,
 * a file that exists; MB_EIO when the file cannot be written (nothing is
 * left behind).
 */
int mb_author_write(mb_buf *path, const mb_project *p, const mb_author *a,
                    mb_error *err);

#endif

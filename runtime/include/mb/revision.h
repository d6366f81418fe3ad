/*
 * mb/revision.h -- what the runtime reads of one mb_revision.
 *
 * The runtime never parses a revision file (the bundler's revfile.c
 * does, at build time): it reads the records embedded in its bundle.
 * These accessors answer the questions it asks of one: which section
 * runs for a direction on a dialect, and whether the revision can be
 * rolled back. The limits are those the parser enforces on every
 * revision it accepts; verify.c checks an embedded record against them
 * before it reads any of its sections.
 */
#ifndef MB_REVISION_H
#define MB_REVISION_H

#include "mb/bundle.h"

#define MB_REVISION_MAX_ITEMS 256 /* parents, depends, labels */
/* sections of one revision: {up, down} x {any, postgresql, sqlite} */
#define MB_REVISION_MAX_SECTIONS 6

/**
 * The section to run for kind on dialect: the dialect-specific one when
 * the revision has it, else the generic one, else NULL (for MB_SECTION_DOWN
 * that means irreversible). Borrowed from rev.
 */
const mb_section *mb_revision_section(const mb_revision *rev, int kind,
                                      int dialect);

/**
 * 1 when the revision has a down section usable on dialect; for
 * MB_DIALECT_ANY (dialect not known yet), on every dialect.
 */
int mb_revision_reversible(const mb_revision *rev, int dialect);

#endif

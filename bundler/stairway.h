/*
 * stairway.h -- `migbundle check`'s replay of the revisions: for each one
 * in the order `app-migrate up heads` applies them from an empty
 * database, up, then down, then up again, with the schema before the up
 * compared with the schema after the down.
 */
#ifndef MB_STAIRWAY_H
#define MB_STAIRWAY_H

#include <stdio.h>
#include "check.h"

/**
 * Replay p on a new in-memory SQLite database (unless sqlite is 0), then,
 * when db is not NULL, on the PostgreSQL database db, which must be empty
 * (it is left with the schema of the heads and none of migbundle's
 * tables). Neither: nothing runs. Progress and notes go to fp as
 * "PROG: ..." lines.
 *
 * Before anything runs, db is checked: a URL that is not PostgreSQL's, a
 * server that cannot be reached and a database with anything in it are
 * MB_EUSAGE, with nothing written.
 *
 * @return MB_OK; MB_EUSAGE as above; MB_EDB for the first revision whose
 *         up, down or second up fails (err at FILE:LINE of the statement)
 *         or whose down does not restore the schema (err at FILE:LINE of
 *         its down section, each difference a line of err->detail);
 *         MB_ENOMEM
 */
int mb_stairway(const mb_project *p, int sqlite, const char *db,
                const char *prog, FILE *fp, mb_error *err);

#endif

/*
 * check.h -- load a migrations directory and check it.
 *
 * mb_project_load() is the front half shared by `migbundle build` and
 * `migbundle check`: scan DIR, read and parse every revision file, build
 * the revision graph. mb_check_project() then reports what is allowed but
 * worth a warning, and runs the checks that only `check` performs, except
 * the replay of the revisions (stairway.h).
 */
#ifndef MB_CHECK_H
#define MB_CHECK_H

#include <stdio.h>
#include "mb/arena.h"
#include "mb/bundle.h"
#include "mb/graph.h"
#include "scan.h"

typedef struct mb_project {
    mb_scan scan;        /* the files, in sorted path order */
    mb_arena arena;      /* owns the parsed revisions */
    mb_revision *revs;   /* one per scan.files[i], same order */
    size_t n_revs;
    mb_graph graph;      /* borrows revs */
} mb_project;

#define MB_PROJECT_INIT {MB_SCAN_INIT, MB_ARENA_INIT, NULL, 0, MB_GRAPH_INIT}

/**
 * Scan, read, parse and link the revisions under dir. Every error names
 * the offending file as DIR/PATH (the revisions keep PATH relative).
 *
 * @param out  filled on success; free with mb_project_free (also after a
 *             failure, which leaves it empty)
 * @return MB_OK, MB_EIO, MB_EPARSE, MB_EGRAPH or MB_ENOMEM
 */
int mb_project_load(mb_project *out, const char *dir, mb_error *err);

/**
 * Like mb_project_load for the commands that only read or extend the
 * graph (revision, merge, history, heads, branches): a directory without
 * revision files is an empty project, and an up section may be empty
 * (MB_REVFILE_DRAFT: a file `revision` wrote and nobody filled yet).
 */
int mb_project_open(mb_project *out, const char *dir, mb_error *err);

/** Release everything; accepts MB_PROJECT_INIT. */
void mb_project_free(mb_project *p);

/**
 * An error that names a revision by its path relative to DIR (as the
 * graph and the runtime do) is rewritten to name it as DIR/PATH, the
 * form of every message of migbundle. Other errors are left alone.
 */
void mb_project_relocate_error(mb_error *err, const mb_project *p);

/**
 * Print to fp a warning for every irreversible revision and for several
 * heads, as "PROG: warning: FILE:LINE: ...".
 * @return the number of warnings
 */
size_t mb_check_warnings(const mb_project *p, const char *prog, FILE *fp);

/**
 * Everything `migbundle check` verifies beyond loading without running
 * the revisions: for now the warnings above, which do not fail the
 * check. The replay that runs them (up, down, up) is mb_stairway()
 * (stairway.h), which `check` calls next.
 * @return MB_OK or the status of the first failed check
 */
int mb_check_project(const mb_project *p, const char *prog, FILE *fp,
                     mb_error *err);

#endif

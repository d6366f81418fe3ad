/*
 * mb/plan.h -- targets and plans, with Alembic's semantics: from a graph,
 * the applied set and target specs to the ordered list of revisions to
 * apply or roll back, or to the applied set a stamp leaves.
 *
 * Pure functions: no database, no I/O. `applied` is an array of g->n
 * flags (1 = recorded in the version table); the version table holds one
 * row per applied revision and the heads Alembic would store are derived
 * from it (mb_applied_heads).
 *
 * Targets (docs/graph.md): head, heads, base, a full id, a unique prefix,
 * a branch label, +N (up), -N (down), REV+N, REV-N, LABEL@head,
 * LABEL@heads, LABEL@base, LABEL@REV, LABEL@+N, LABEL@-N. They resolve,
 * and the revisions run in the order, that Alembic 1.8's revision map
 * gives when it loads the revision files in sorted path order. Where
 * Alembic would guess, these refuse (MB_ETARGET): `down -1` with several
 * applied heads, stamp of two targets on one lineage.
 */
#ifndef MB_PLAN_H
#define MB_PLAN_H

#include <stddef.h>
#include "mb/graph.h"

/* MB_STAMP: a stamp's log rows (no plan has that direction). */
enum mb_direction { MB_UP = 1, MB_DOWN = 2, MB_STAMP = 3 };

/**
 * Applied heads: applied revisions that no other applied revision reaches
 * through Revises or Depends On, in graph (sorted path) order. *out is
 * allocated (free()), *n its length.
 */
int mb_applied_heads(size_t **out, size_t *n, const mb_graph *g,
                     const unsigned char *applied, mb_error *err);

typedef struct mb_plan {
    size_t *steps; /* node indices in execution order */
    size_t n;
    int direction; /* MB_UP or MB_DOWN */
    /* the target as an absolute spec (a relative one resolved against
     * the state it was planned on), so that planning again after the
     * lock moves to the same revision */
    char resolved[2 * MB_ID_MAX + 16];
} mb_plan;

#define MB_PLAN_INIT {NULL, 0, 0, ""}

/**
 * Resolve spec for direction and compute the revisions to run, in
 * Alembic's order. Up: every revision the target needs (through Revises
 * and Depends On) that is not applied. Down: every applied revision that
 * descends from the target's children, in the order Alembic rolls them
 * back. A step through a revision without a down section for dialect is
 * refused with MB_ETARGET naming it, so nothing runs. MB_ETARGET with a
 * hint for a target that cannot be resolved.
 */
int mb_plan_make(mb_plan *out, const mb_graph *g,
                 const unsigned char *applied, const char *spec,
                 int direction, int dialect, mb_error *err);
void mb_plan_free(mb_plan *p);

/**
 * Stamp: the applied set after `stamp specs[0..n)` (after forgetting
 * everything first when purge), as Alembic moves its heads, into
 * result[0..g->n). MB_ETARGET when a target cannot be resolved, when two
 * targets are on one lineage, or when Alembic itself would fail.
 */
int mb_plan_stamp(unsigned char *result, const mb_graph *g,
                  const unsigned char *applied, const char *const *specs,
                  size_t n, int purge, mb_error *err);

/**
 * The revisions a target names for reading (Alembic's get_revisions, as
 * `show` uses it): "heads", "head", "base" (none), LABEL@..., an id or a
 * prefix, -N (N below each head), and "current" (the applied heads; with
 * applied NULL, "current" is an MB_ETARGET error). *out is allocated
 * (free()), *n its length. MB_ETARGET when spec cannot be resolved.
 */
int mb_plan_revisions(size_t **out, size_t *n, const mb_graph *g,
                      const unsigned char *applied, const char *spec,
                      mb_error *err);

/** A `history -r` RANGE split at its colon ("A:B", "A:", ":B"). */
typedef struct mb_range {
    char text[256];    /* the range, the colon replaced by a NUL */
    const char *lower; /* "" when not given; NULL: no range at all */
    const char *upper;
} mb_range;

/**
 * Split spec (NULL: the whole graph) into r. MB_EUSAGE, naming spec, when
 * it has no colon or two, or is longer than r->text holds.
 */
int mb_range_parse(mb_range *r, const char *spec, mb_error *err);

/** 1 when either end of r is "current" (it needs the applied set). */
int mb_range_uses_current(const mb_range *r);

/**
 * `history -r LOWER:UPPER` (Alembic's walk_revisions: iterate_revisions
 * with inclusive=True and assert_relative_length=False): the revisions
 * from lower up to upper, both included, newest first in Alembic's walk
 * order. lower NULL or "" is "base", upper NULL or "" is "heads";
 * "current" at either end is the applied heads (applied NULL: an error),
 * an upper +N walks up from lower, an upper REV+N / REV-N from REV, a
 * lower -N walks down N from every head; a relative walk stops at the
 * end of the graph instead of failing. MB_ETARGET when an end cannot be
 * resolved or lower is not below upper.
 */
int mb_plan_range(size_t **out, size_t *n, const mb_graph *g,
                  const unsigned char *applied, const char *lower,
                  const char *upper, mb_error *err);

/**
 * Alembic's branch labels of every node: a label belongs to its revision,
 * to all its descendants through Revises, and, when those form one line
 * with no branch point or merge point, to the revisions below it down to
 * the first branch or merge point (RevisionMap._add_branches).
 * mark[0..g->n) gets 1 for each node that carries g->labels[label].
 */
int mb_plan_label_members(unsigned char *mark, const mb_graph *g,
                          size_t label, mb_error *err);

#endif

/*
 * mb/plan.h -- targets and plans: from a graph, the applied set and a
 * target spec to the ordered list of revisions to apply or roll back.
 *
 * Pure functions: no database, no I/O. `applied` is an array of g->n
 * flags (1 = recorded in the version table).
 *
 * Targets: head, heads, base, a full revision id, a unique prefix, +N
 * (up only) and -N (down only). Relative targets walk from the single
 * applied head along `Revises`; where the walk would have to choose
 * between branches, or there are several applied heads, it refuses
 * (MB_ETARGET) instead of guessing. The last step of -N may go down
 * through a merge: the target is then the merge's parents.
 */
#ifndef MB_PLAN_H
#define MB_PLAN_H

#include <stddef.h>
#include "mb/graph.h"

enum mb_direction { MB_UP = 1, MB_DOWN = 2 };

typedef struct mb_target {
    size_t *nodes; /* resolved revisions (heap); none when base */
    size_t n;
    int base;      /* 1: the target is "base" (nothing applied) */
} mb_target;

#define MB_TARGET_INIT {NULL, 0, 0}

/** Resolve spec for direction; MB_ETARGET with a hint when it cannot. */
int mb_target_resolve(mb_target *out, const mb_graph *g,
                      const unsigned char *applied, const char *spec,
                      int direction, mb_error *err);
void mb_target_free(mb_target *t);

/**
 * Applied heads: applied revisions that no other applied revision reaches
 * through Revises or Depends On, in topological order. *out is allocated
 * (free()), *n its length.
 */
int mb_applied_heads(size_t **out, size_t *n, const mb_graph *g,
                     const unsigned char *applied, mb_error *err);

typedef struct mb_plan {
    size_t *steps; /* node indices in execution order */
    size_t n;
    int direction; /* MB_UP or MB_DOWN */
} mb_plan;

#define MB_PLAN_INIT {NULL, 0, 0}

/**
 * Up: every ancestor of the targets (through Revises and Depends On) not
 * yet applied, parents first.
 * Down: every applied descendant of the targets that is not also an
 * ancestor of one, children first (base: everything applied). A step
 * through a revision without a down section for dialect is refused with
 * MB_ETARGET naming it, so nothing runs.
 */
int mb_plan_make(mb_plan *out, const mb_graph *g,
                 const unsigned char *applied, const mb_target *t,
                 int direction, int dialect, mb_error *err);
void mb_plan_free(mb_plan *p);

#endif

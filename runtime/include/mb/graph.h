/*
 * mb/graph.h -- the revision DAG.
 *
 * Nodes are revisions; edges are `Revises` (parent) and `Depends On`
 * (dependency) links. Building the graph rejects duplicate ids, unknown
 * parents or dependencies, duplicate or clashing branch labels, and cycles,
 * naming FILE:LINE of the offender. Branches and merges are ordinary: a
 * node may have several parents and several children.
 *
 * All traversals are iterative (no recursion), bounded by the node count.
 */
#ifndef MB_GRAPH_H
#define MB_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include "mb/bundle.h"
#include "mb/error.h"

#define MB_NONE ((size_t)-1)

typedef struct mb_node {
    const mb_revision *rev; /* borrowed from the caller's array */
    size_t *parents;        /* Revises */
    size_t n_parents;
    size_t *deps;           /* Depends On */
    size_t n_deps;
    size_t *ndeps;          /* the deps no ancestor through Revises also
                             * depends on (Alembic's normalized deps) */
    size_t n_ndeps;
    size_t *children;       /* nodes whose Revises name this one */
    size_t n_children;
    size_t *dependents;     /* nodes whose Depends On name this one */
    size_t n_dependents;
    size_t topo;            /* position in mb_graph.order */
} mb_node;

typedef struct mb_label {
    const char *label;
    size_t node;
} mb_label;

typedef struct mb_graph {
    mb_node *nodes;     /* same order as the revisions given */
    size_t n;
    size_t *order;      /* topological: parents and deps before children */
    size_t *by_id;      /* node indices sorted by id (prefix lookups) */
    uint32_t *id_slots; /* hash table of node index + 1 by id, 0 empty */
    size_t id_mask;     /* its slot count - 1 (a power of two - 1) */
    size_t *heads;      /* nodes without children, in topological order */
    size_t n_heads;
    size_t *bases;      /* nodes without parents, in topological order */
    size_t n_bases;
    mb_label *labels;   /* sorted by label */
    size_t n_labels;
    size_t *edges;      /* storage for every node's edge arrays */
    size_t *ndeps_store; /* storage for every node's ndeps */
} mb_graph;

#define MB_GRAPH_INIT                                                        \
    {NULL, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, NULL}

/* Edge kinds for mb_graph_mark(). */
#define MB_EDGE_PARENTS 1u    /* Revises */
#define MB_EDGE_DEPS 2u       /* Depends On */
#define MB_EDGE_CHILDREN 4u   /* reverse of Revises */
#define MB_EDGE_DEPENDENTS 8u /* reverse of Depends On */
#define MB_EDGE_DOWN (MB_EDGE_PARENTS | MB_EDGE_DEPS)
#define MB_EDGE_UP (MB_EDGE_CHILDREN | MB_EDGE_DEPENDENTS)

/**
 * Build the graph of revs[0..n). The graph borrows revs, which must
 * outlive it. On failure err names the offending file and line and the
 * graph is left empty (nothing to free, but mb_graph_free is harmless).
 */
int mb_graph_build(mb_graph *g, const mb_revision *revs, size_t n,
                   mb_error *err);
void mb_graph_free(mb_graph *g);

/** Node index of the revision with exactly this id, or MB_NONE. */
size_t mb_graph_find(const mb_graph *g, const char *id);

/**
 * Resolve a full id or unique prefix. MB_ETARGET when unknown or
 * ambiguous (the detail lists the candidates).
 */
int mb_graph_lookup(size_t *out, const mb_graph *g, const char *spec,
                    mb_error *err);

/**
 * Mark in mark[0..n) (set to 1) node and every node reached from it
 * through the edge kinds in edges (MB_EDGE_*). A node already marked is
 * not walked again.
 * @return MB_OK or MB_ENOMEM.
 */
int mb_graph_mark(const mb_graph *g, size_t node, unsigned edges,
                  unsigned char *mark, mb_error *err);

/** mb_graph_mark() through Revises and Depends On. */
int mb_graph_mark_ancestors(const mb_graph *g, size_t node,
                            unsigned char *mark, mb_error *err);

/** mb_graph_mark() through children and dependents. */
int mb_graph_mark_descendants(const mb_graph *g, size_t node,
                              unsigned char *mark, mb_error *err);

#endif

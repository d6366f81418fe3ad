/*
 * graphtext.h -- the revision graph as Alembic prints it, and as JSON.
 *
 * The text is Alembic 1.8's (alembic/command.py and Script.cmd_format,
 * _head_only and log_entry in alembic/script/base.py), with the revision
 * file's path as "Path:" and its checksum after it. Where Alembic iterates
 * a set (the branches of a branch point) the graph's order is used.
 * app-migrate's history, heads, branches, show and current print through
 * this module, and so do migbundle's history, heads and branches: both
 * programs print one graph the same way.
 */
#ifndef MB_GRAPHTEXT_H
#define MB_GRAPHTEXT_H

#include <stdio.h>
#include "mb/graph.h"

typedef struct mb_graph_text {
    const mb_graph *graph;
    FILE *out;
    /* labels[l * graph->n + v] is 1 when node v carries graph->labels[l]
     * (Alembic's inherited branch labels, mb_plan_label_members) */
    unsigned char *labels;
} mb_graph_text;

#define MB_GRAPH_TEXT_INIT {NULL, NULL, NULL}

/** The forms of a list of revisions. */
enum mb_graph_form {
    MB_FORM_LINES,   /* one line each (Alembic's default) */
    MB_FORM_VERBOSE, /* log_entry blocks (Alembic's -v) */
    MB_FORM_JSON     /* one JSON document */
};

/** Prepare to print g (which must outlive t) to out. */
int mb_graph_text_init(mb_graph_text *t, const mb_graph *g, FILE *out,
                       mb_error *err);
/** Release t; accepts MB_GRAPH_TEXT_INIT. */
void mb_graph_text_free(mb_graph_text *t);

/* What a line shows besides the id and (head) / (current). */
#define MB_SHOW_BRANCHES 1u /* its branch labels */
#define MB_SHOW_DOC 2u      /* ", message" */
#define MB_SHOW_PARENTS 4u  /* "PARENTS (DEPS) -> " */
#define MB_SHOW_TREE 8u     /* (branchpoint) (mergepoint) */

/** Script._head_only: "PARENTS (DEPS) -> ID (LABELS) (head), message";
 * current 1 marks it "(current)". */
void mb_graph_text_line(const mb_graph_text *t, size_t node, unsigned show,
                        int current);

/** Script.log_entry: the "Rev:" line to "Checksum:" (entry_head) and the
 * header as Alembic's template writes it, indented, with an empty line
 * behind (entry_doc). mb_graph_text_entry prints both. */
void mb_graph_text_entry_head(const mb_graph_text *t, size_t node,
                              int current);
void mb_graph_text_entry_doc(const mb_graph_text *t, size_t node);
void mb_graph_text_entry(const mb_graph_text *t, size_t node, int current);

/** The members of one revision's JSON object (no braces): those of
 * mb_json_revision, then labels, children, is_head, is_branch_point,
 * is_merge_point, is_current (current -1: null). */
void mb_graph_text_json(const mb_graph_text *t, size_t node, int dialect,
                        int current);

/**
 * `history`: order[0..n) (mb_plan_range) in form; cur (NULL: none known)
 * flags the applied heads, shown as "(current)" (JSON: is_current null
 * when cur is NULL).
 */
void mb_graph_text_history(const mb_graph_text *t, const size_t *order,
                           size_t n, const unsigned char *cur, int form);

/** `heads`: the heads of the graph in form. */
void mb_graph_text_heads(const mb_graph_text *t, int form);

/** `branches`: every branch point, newest first, each with its
 * branches ("ID -> CHILD" lines); MB_ENOMEM only. */
int mb_graph_text_branches(const mb_graph_text *t, int form, mb_error *err);

#endif

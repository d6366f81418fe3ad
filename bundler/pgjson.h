/*
 * pgjson.h -- read the JSON parse trees of libpg_query into a tree.
 *
 * pg_query_parse() returns PostgreSQL's parse tree as JSON text. This is
 * the small reader the lint (lint.c) walks it with: the whole text into
 * one tree of nodes in an arena, strings decoded to UTF-8, numbers kept
 * as their text. It is iterative (no recursion), so the nesting depth of
 * an expression cannot exhaust the stack, and it reads each byte once.
 *
 * Why a reader of our own: libpg-query-dev ships pg_query.pb-c.h for its
 * protobuf output, but not the protobuf-c header it includes, and no JSON
 * library with headers is installed; this file is smaller than either new
 * build dependency would be.
 */
#ifndef MB_PGJSON_H
#define MB_PGJSON_H

#include <stddef.h>
#include "mb/arena.h"
#include "mb/error.h"

typedef enum mb_pgjson_type {
    MB_PGJSON_NULL,
    MB_PGJSON_FALSE,
    MB_PGJSON_TRUE,
    MB_PGJSON_NUMBER,
    MB_PGJSON_STRING,
    MB_PGJSON_ARRAY,
    MB_PGJSON_OBJECT
} mb_pgjson_type;

typedef struct mb_pgjson mb_pgjson;
struct mb_pgjson {
    mb_pgjson_type type;
    const char *key;   /* the member's name inside an object, else NULL */
    const char *str;   /* STRING: decoded; NUMBER: its text; else NULL */
    mb_pgjson *parent;   /* NULL for the root */
    mb_pgjson *child;    /* first element or member of an ARRAY or OBJECT */
    mb_pgjson *last;     /* last one, for appending */
    mb_pgjson *next;     /* next sibling */
};

/**
 * Parse text[0..len) as one JSON value.
 * @param out    the root; every node and string lives in arena
 * @return MB_OK, MB_EPARSE (malformed JSON: err says at which byte) or
 *         MB_ENOMEM
 */
int mb_pgjson_parse(mb_pgjson **out, mb_arena *arena, const char *text,
                  size_t len, mb_error *err);

/** The member key of an object, or NULL (also when obj is NULL). */
const mb_pgjson *mb_pgjson_get(const mb_pgjson *obj, const char *key);

/** The member key if it is a string, else NULL. */
const char *mb_pgjson_str(const mb_pgjson *obj, const char *key);

/** 1 when the member key is true (libpg_query leaves out false). */
int mb_pgjson_true(const mb_pgjson *obj, const char *key);

/**
 * The node after at in a pre-order walk of the subtree root (root
 * itself comes first: pass at == NULL), or NULL at the end.
 */
const mb_pgjson *mb_pgjson_walk(const mb_pgjson *root, const mb_pgjson *at);

#endif

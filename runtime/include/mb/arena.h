/*
 * mb/arena.h -- bulk-free allocator for parsed revisions, graphs and the
 * text of result sets.
 *
 * Everything allocated from an arena is released together by
 * mb_arena_free(). Build with -DMB_DEBUG_ARENA to give every allocation a
 * block of its own, so ASan and valgrind see each one separately.
 */
#ifndef MB_ARENA_H
#define MB_ARENA_H

#include <stddef.h>

typedef struct mb_arena_block mb_arena_block;

typedef struct mb_arena {
    mb_arena_block *head; /* most recent block first */
} mb_arena;

#define MB_ARENA_INIT {NULL}

/** Zeroed, max-aligned memory owned by the arena; NULL when out of memory. */
void *mb_arena_alloc(mb_arena *a, size_t size);
/** Copy of s[0..len) plus a terminator; NULL when out of memory. */
char *mb_arena_strndup(mb_arena *a, const char *s, size_t len);
/** Release every block; the arena is reset to MB_ARENA_INIT. */
void mb_arena_free(mb_arena *a);

#endif

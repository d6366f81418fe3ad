/*
 * arena.c -- bulk-free allocator (see mb/arena.h).
 *
 * Blocks are chained newest first. A request larger than the block size
 * gets a block of its own. With MB_DEBUG_ARENA every request does, so
 * memory checkers see each allocation.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/arena.h"

#define BLOCK_SIZE 16384

struct mb_arena_block {
    mb_arena_block *next;
    size_t used;
    size_t size;
    alignas(max_align_t) unsigned char mem[];
};

static size_t round_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

void *mb_arena_alloc(mb_arena *a, size_t size)
{
    mb_arena_block *b = a->head;
    size_t want = round_up(size ? size : 1);
    void *p;

    if (want < size)
        return NULL;
#ifndef MB_DEBUG_ARENA
    if (b == NULL || b->size - b->used < want) {
        size_t bsize = want > BLOCK_SIZE ? want : BLOCK_SIZE;
#else
    {
        size_t bsize = want;
#endif
        if (bsize > SIZE_MAX - sizeof *b)
            return NULL;
        b = mb_malloc(sizeof *b + bsize);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->size = bsize;
        /* A big dedicated block goes behind the current one so the
         * current block's free space stays usable. */
        if (a->head != NULL && bsize > BLOCK_SIZE) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    p = b->mem + b->used;
    b->used += want;
    memset(p, 0, want);
    return p;
}

char *mb_arena_strndup(mb_arena *a, const char *s, size_t len)
{
    char *p;

    if (len == SIZE_MAX)
        return NULL;
    p = mb_arena_alloc(a, len + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void mb_arena_free(mb_arena *a)
{
    mb_arena_block *b = a->head;

    while (b != NULL) {
        mb_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

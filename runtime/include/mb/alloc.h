/*
 * mb/alloc.h -- the allocation functions of migbundle's own code.
 *
 * Every allocation in runtime/ and bundler/ goes through these, so that a
 * test build can make any one of them fail (SQLite's out-of-memory tests,
 * curl's allocation limits) and prove that each failure is reported and
 * leaks nothing (mb/fault.h: the point "alloc"). In other builds they
 * are the C library's functions.
 * Memory from any of them is released with free().
 */
#ifndef MB_ALLOC_H
#define MB_ALLOC_H

#include <stdlib.h>
#include <string.h>

#include "mb/fault.h"

#ifdef MB_FAULT_INJECTION
#define MB_ALLOC_FAILS() mb_fault_pass("alloc", MB_FAULT_ANY)
#else
#define MB_ALLOC_FAILS() 0
#endif

static inline void *mb_malloc(size_t size)
{
    return MB_ALLOC_FAILS() ? NULL : malloc(size);
}

static inline void *mb_calloc(size_t n, size_t size)
{
    return MB_ALLOC_FAILS() ? NULL : calloc(n, size);
}

/** Like realloc(); on failure p is untouched and still owned. */
static inline void *mb_realloc(void *p, size_t size)
{
    return MB_ALLOC_FAILS() ? NULL : realloc(p, size);
}

/** A copy of the first n bytes of s (fewer at a NUL), NUL-terminated. */
static inline char *mb_strndup(const char *s, size_t n)
{
    const char *nul = memchr(s, '\0', n);
    size_t len = nul ? (size_t)(nul - s) : n;
    char *p = mb_malloc(len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static inline char *mb_strdup(const char *s)
{
    return mb_strndup(s, strlen(s));
}

#endif

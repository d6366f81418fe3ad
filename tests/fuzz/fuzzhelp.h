/*
 * fuzzhelp.h -- what the libFuzzer harnesses of tests/fuzz/ share.
 *
 * CHECK(expr): when expr is false, print FILE:LINE and the expression and
 * abort, which libFuzzer reports as a crash and saves the input.
 */
#ifndef MB_FUZZHELP_H
#define MB_FUZZHELP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(expr)                                                       \
    ((expr) ? (void)0 : fuzz_failed(__FILE__, __LINE__, #expr))

static inline void fuzz_failed(const char *file, int line, const char *expr)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    abort();
}

#endif

/*
 * splitcmp.h -- mb_sql_split() against libpg_query's statement splitters
 * (PostgreSQL 15's own lexer and grammar, Debian's libpg-query-dev).
 *
 * Shared by the fuzzer tests/fuzz/fuzz_split_pg.c and the corpus check
 * tests/fuzz/split_pg_corpus.c; splitcmp.c says what is compared and
 * where the two legitimately differ.
 */
#ifndef MB_SPLITCMP_H
#define MB_SPLITCMP_H

#include <stddef.h>

enum splitcmp_result {
    SPLITCMP_AGREE = 0, /* the same statements, or both refuse the text */
    SPLITCMP_SKIP = 1,  /* a case where they differ by design, or one that
                         * libpg_query cannot judge; why says which */
    SPLITCMP_DIFFER = 2 /* a disagreement; why says where */
};

/**
 * Split sql[0..len) (no NUL inside) with both and compare.
 * @param why  receives a one-line reason for SKIP and DIFFER ("" else)
 * @return enum splitcmp_result
 */
int splitcmp(const char *sql, size_t len, char *why, size_t why_size);

#endif

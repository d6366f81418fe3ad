/*
 * fuzz_split_pg.c -- differential libFuzzer harness: mb_sql_split()
 * against libpg_query's statement splitters, PostgreSQL 15's lexer and
 * grammar (Debian's libpg-query-dev).
 *
 * Built and run by tests/fuzz/run.sh (ctest: fuzz.split_pg), with the
 * dictionary sqlsplit.dict; seeds in corpus/sqlsplit/ and
 * corpus/split_pg/. The whole seed corpus is also compared, without
 * fuzzing, by the ctest fuzz.split_pg_corpus (split_pg_corpus.c).
 *
 * fuzz-sources: tests/fuzz/splitcmp.c runtime/sqlsplit.c runtime/error.c
 * fuzz-sources: runtime/buf.c
 * fuzz-libs: -l:libpg_query.a
 * fuzz-seeds: corpus/sqlsplit
 * fuzz-dict: sqlsplit.dict
 * fuzz-options: -max_len=2048
 *
 * The input, up to its first NUL, is one section of SQL. Checked (see
 * splitcmp.c for the details and for the cases where the two differ by
 * design): both split it into the same statements, or both refuse it at
 * the same kind of unterminated construct on the same line. Setting
 * FUZZ_SPLIT_SHOW=1 prints each verdict and its reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzhelp.h"
#include "splitcmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"agree", "skip", "DIFFER"};
    const char *nul = memchr(data, '\0', size);
    size_t len = nul ? (size_t)(nul - (const char *)data) : size;
    char *sql = malloc(len ? len : 1); /* nothing readable after it */
    char why[1024];
    int r;

    CHECK(sql != NULL);
    memcpy(sql, data, len);
    r = splitcmp(sql, len, why, sizeof why);
    if (r == SPLITCMP_DIFFER || getenv("FUZZ_SPLIT_SHOW") != NULL)
        fprintf(stderr, "splitcmp: %s: %s\n", names[r], why);
    CHECK(r != SPLITCMP_DIFFER);
    free(sql);
    return 0;
}

/*
 * testhelp.h -- the smallest test runner that does the job.
 *
 * A test file defines functions `static void test_<module>__<case>(void)`,
 * lists them in a `static const mb_test tests[]` table and ends with
 * MB_TEST_MAIN(tests). Each CHECK that fails prints FILE:LINE and the
 * expression; the program exits 1 if any check failed. `./test NAME` runs
 * only the tests whose name contains NAME.
 */
#ifndef MB_TESTHELP_H
#define MB_TESTHELP_H

#include <stdio.h>
#include <string.h>

typedef struct mb_test {
    const char *name;
    void (*fn)(void);
} mb_test;

static int mb_test_failures;

#define CHECK(expr)                                                        \
    do {                                                                   \
        if (!(expr)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,         \
                    __LINE__, #expr);                                      \
            mb_test_failures++;                                            \
        }                                                                  \
    } while (0)

#define CHECK_STR(a, b)                                                    \
    do {                                                                   \
        const char *a_ = (a), *b_ = (b);                                   \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {             \
            fprintf(stderr, "%s:%d: %s == %s failed:\n  \"%s\"\n  \"%s\"\n",\
                    __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)",        \
                    b_ ? b_ : "(null)");                                   \
            mb_test_failures++;                                            \
        }                                                                  \
    } while (0)

#define CHECK_INT(a, b)                                                    \
    do {                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                \
        if (a_ != b_) {                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",      \
                    __FILE__, __LINE__, #a, #b, a_, b_);                   \
            mb_test_failures++;                                            \
        }                                                                  \
    } while (0)

/* Substring check, for error messages. */
#define CHECK_HAS(hay, needle)                                             \
    do {                                                                   \
        const char *h_ = (hay), *n_ = (needle);                            \
        if (h_ == NULL || strstr(h_, n_) == NULL) {                        \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n",     \
                    __FILE__, __LINE__, h_ ? h_ : "(null)", n_);           \
            mb_test_failures++;                                            \
        }                                                                  \
    } while (0)

#define MB_TEST_MAIN(table)                                                \
    int main(int argc, char **argv)                                        \
    {                                                                      \
        size_t i_, run_ = 0;                                               \
        for (i_ = 0; i_ < sizeof(table) / sizeof(table)[0]; i_++) {        \
            if (argc > 1 && strstr((table)[i_].name, argv[1]) == NULL)     \
                continue;                                                  \
            int before_ = mb_test_failures;                                \
            (table)[i_].fn();                                              \
            run_++;                                                        \
            printf("%s %s\n", mb_test_failures == before_ ? "ok  " : "FAIL",\
                   (table)[i_].name);                                      \
        }                                                                  \
        printf("%zu tests, %d failed checks\n", run_, mb_test_failures);   \
        return mb_test_failures == 0 && run_ > 0 ? 0 : 1;                  \
    }

#define MB_T(fn) {#fn, fn}

#endif

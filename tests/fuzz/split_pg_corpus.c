/*
 * split_pg_corpus.c -- the ctest fuzz.split_pg_corpus: the statement
 * boundaries of mb_sql_split() against libpg_query's (PostgreSQL's lexer
 * and grammar) on the whole test corpus of SQL, with no fuzzing.
 *
 *   split_pg_corpus [DIR | --revisions | --sql | --tree]...
 *
 * Every file of each DIR is one section of SQL (--sql, the default) or a
 * revision file (after --revisions), whose sections that can run on
 * PostgreSQL (generic and dialect:postgresql) are compared one by one (a
 * file that does not parse is passed over). After --tree, every file
 * named *.sql anywhere under DIR (symbolic links not followed) is a
 * revision file: ctest gives samples/ and tests/, so that every revision
 * of the test corpus is compared. splitcmp.c says what is
 * compared and where the two differ by design. Prints each file that is
 * not compared in full, or agrees only after a normalization, with the
 * reason, then the counts; exits 1 when they disagree on any, or when no
 * file was compared at all.
 */
#include <dirent.h>
#include <pg_query.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revfile.h"
#include "splitcmp.h"

typedef struct tally {
    size_t agree, skip, differ, passed_over;
} tally;

static void judge(tally *t, const char *name, const char *sql, size_t len)
{
    static const char *const names[] = {"agree", "skip", "DIFFER"};
    char why[1024];
    int r = splitcmp(sql, len, why, sizeof why);

    if (r == SPLITCMP_AGREE)
        t->agree++;
    else if (r == SPLITCMP_SKIP)
        t->skip++;
    else
        t->differ++;
    if (why[0] != '\0')
        printf("%s: %s: %s\n", name, names[r], why);
}

/* The sections of a revision file that can run on PostgreSQL. */
static void judge_revision(tally *t, const char *name, const char *data,
                           size_t len)
{
    mb_arena arena = MB_ARENA_INIT;
    mb_error err = MB_ERROR_INIT;
    mb_revision rev;
    char label[1200];
    unsigned i;

    if (mb_revfile_parse(&rev, &arena, name, NULL, data, len, &err) != MB_OK) {
        t->passed_over++;
        goto done;
    }
    for (i = 0; i < rev.n_sections; i++) {
        const mb_section *s = &rev.sections[i];

        if (s->dialect == MB_DIALECT_SQLITE)
            continue;
        snprintf(label, sizeof label, "%s:%u", name, s->line);
        judge(t, label, (const char *)rev.data + s->offset, s->len);
    }
done:
    mb_arena_free(&arena);
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    int ok = 0;

    if (f == NULL)
        return 0;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        ok = buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n;
        if (ok) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    if (!ok)
        free(buf);
    else
        *out = buf;
    return ok;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum mode { MODE_SQL, MODE_REVISIONS, MODE_TREE };

#define MAX_DEPTH 32 /* of --tree: the test trees are a few levels deep */

static int has_sql_suffix(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

static int judge_dir(tally *t, const char *dir, int mode, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL, path[4096], *data;
    size_t n = 0, cap = 0, i, len;
    int ok = d != NULL;

    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **v = realloc(names, (cap = cap ? 2 * cap : 64) *
                                          sizeof *names);
            if (v == NULL) {
                ok = 0;
                break;
            }
            names = v;
        }
        names[n] = strdup(e->d_name);
        ok = names[n++] != NULL;
    }
    if (d != NULL)
        closedir(d);
    if (ok)
        qsort(names, n, sizeof *names, cmp_names);
    for (i = 0; ok && i < n; i++) {
        struct stat st;

        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (mode == MODE_TREE) {
            if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
                continue;
            if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
                ok = judge_dir(t, path, mode, depth + 1);
            if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) ||
                !has_sql_suffix(names[i]))
                continue;
        }
        ok = read_file(path, &data, &len);
        if (ok && mode != MODE_SQL)
            judge_revision(t, path, data, len);
        else if (ok) /* up to a NUL, as fuzz_split_pg.c reads it */
            judge(t, path, data, strnlen(data, len));
        if (ok)
            free(data);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (!ok)
        fprintf(stderr, "split_pg_corpus: could not read \"%s\"\n", dir);
    return ok;
}

int main(int argc, char **argv)
{
    tally t = {0, 0, 0, 0};
    int i, mode = MODE_SQL, ok = 1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--revisions") == 0)
            mode = MODE_REVISIONS;
        else if (strcmp(argv[i], "--sql") == 0)
            mode = MODE_SQL;
        else if (strcmp(argv[i], "--tree") == 0)
            mode = MODE_TREE;
        else
            ok = judge_dir(&t, argv[i], mode, 0) && ok;
    }
    pg_query_exit();
    printf("split_pg_corpus: %zu agree, %zu skipped, %zu differ "
           "(%zu revision files that do not parse passed over)\n",
           t.agree, t.skip, t.differ, t.passed_over);
    return ok && t.differ == 0 && t.agree > 0 ? 0 : 1;
}

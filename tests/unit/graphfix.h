/*
 * graphfix.h -- build small revision graphs for unit tests.
 *
 * fix_add(&f, "id", "p1,p2", "dep1", "label") appends a revision whose
 * Revises, Depends On and Branch Labels are the comma lists given (NULL or
 * "" for none). Every revision is reversible unless fix_irreversible().
 */
#ifndef MB_GRAPHFIX_H
#define MB_GRAPHFIX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/bundle.h"

#define FIX_MAX 64

typedef struct fix {
    mb_revision revs[FIX_MAX];
    char *lists[FIX_MAX][3][8];
    char paths[FIX_MAX][48];
    size_t n;
} fix;

static const mb_section fix_sections[2] = {
    {.kind = MB_SECTION_UP, .transaction = 1, .line = 5},
    {.kind = MB_SECTION_DOWN, .transaction = 1, .line = 7},
};

static inline unsigned fix_split(char **out, const char *list)
{
    unsigned n = 0;
    const char *p = list;

    while (p != NULL && *p != '\0' && n < 8) {
        size_t len = strcspn(p, ",");
        out[n] = strndup(p, len);
        n++;
        p += len + (p[len] == ',');
    }
    return n;
}

static inline mb_revision *fix_add(fix *f, const char *id, const char *revises,
                            const char *depends, const char *labels)
{
    mb_revision *r = &f->revs[f->n];
    char **l = f->lists[f->n][0];

    snprintf(f->paths[f->n], sizeof f->paths[0], "%s.sql", id);
    r->id = id;
    r->path = f->paths[f->n];
    r->message = id;
    r->create_date = "";
    r->n_revises = fix_split(f->lists[f->n][0], revises);
    r->revises = (const char *const *)f->lists[f->n][0];
    r->n_depends_on = fix_split(f->lists[f->n][1], depends);
    r->depends_on = (const char *const *)f->lists[f->n][1];
    r->n_branch_labels = fix_split(f->lists[f->n][2], labels);
    r->branch_labels = (const char *const *)f->lists[f->n][2];
    r->id_line = 3;
    r->revises_line = 4;
    r->depends_line = 7;
    r->labels_line = 6;
    r->sections = fix_sections;
    r->n_sections = 2;
    r->checksum = "00000000000000000000000000000000";
    (void)l;
    f->n++;
    return r;
}

static inline void fix_irreversible(mb_revision *r)
{
    r->n_sections = 1;
}

static inline void fix_free(fix *f)
{
    size_t i, j, k;

    for (i = 0; i < f->n; i++)
        for (j = 0; j < 3; j++)
            for (k = 0; k < 8; k++)
                free(f->lists[i][j][k]);
    memset(f, 0, sizeof *f);
}

#endif

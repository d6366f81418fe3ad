/*
 * revision.c -- the runtime's read-only accessors of an mb_revision (see
 * mb/revision.h).
 *
 * A revision holds at most MB_REVISION_MAX_SECTIONS sections, at most
 * one per kind and dialect, so a linear look is all a lookup needs.
 */
#include <stddef.h>

#include "mb/revision.h"

const mb_section *mb_revision_section(const mb_revision *rev, int kind,
                                      int dialect)
{
    const mb_section *generic = NULL;
    unsigned i;

    if (rev == NULL)
        return NULL;
    for (i = 0; i < rev->n_sections; i++) {
        const mb_section *s = &rev->sections[i];

        if (s->kind != kind)
            continue;
        if (dialect != MB_DIALECT_ANY && s->dialect == dialect)
            return s;
        if (s->dialect == MB_DIALECT_ANY && generic == NULL)
            generic = s;
    }
    return generic;
}

/*
 * For MB_DIALECT_ANY (dialect not known yet) the revision must be
 * reversible on every dialect: a generic down section or one for each.
 */
int mb_revision_reversible(const mb_revision *rev, int dialect)
{
    if (dialect == MB_DIALECT_ANY)
        return mb_revision_section(rev, MB_SECTION_DOWN,
                                   MB_DIALECT_POSTGRESQL) != NULL &&
               mb_revision_section(rev, MB_SECTION_DOWN,
                                   MB_DIALECT_SQLITE) != NULL;
    return mb_revision_section(rev, MB_SECTION_DOWN, dialect) != NULL;
}

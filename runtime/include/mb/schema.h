/*
 * mb/schema.h -- a database's user schema as a sorted list of objects,
 * and the differences between two such lists.
 *
 * A snapshot reads the catalogs through an open backend connection
 * (SQLite: sqlite_schema and the table pragmas; PostgreSQL: pg_catalog,
 * every schema but pg_catalog, information_schema, pg_toast* and
 * pg_temp*) and keeps one object per table, column, constraint, index,
 * sequence, view, function, type, trigger, ... keyed by kind and
 * qualified name, with a canonical definition text. Data, statistics,
 * sequence values, owners and grants are not part of it. The queries are
 * fixed catalog SQL: nothing of the database is pasted into them.
 *
 * `migbundle check` compares the snapshots taken before an up and after
 * its down; the canonical text (mb_schema_text) is what a fingerprint of
 * the schema would hash.
 */
#ifndef MB_SCHEMA_H
#define MB_SCHEMA_H

#include <stddef.h>
#include "mb/arena.h"
#include "mb/backend.h"
#include "mb/buf.h"
#include "mb/error.h"

/** One object of the schema. The strings live in the snapshot's arena. */
typedef struct mb_schema_obj {
    const char *kind; /* "table", "column", "index", "constraint", ... */
    const char *name; /* qualified: "public.users.role", "users.role" */
    const char *def;  /* canonical definition; "" when the kind says all */
    const char *owner; /* the object it belongs to (a column's, an
                        * index's table, a domain constraint's type, an
                        * owned sequence's table; a function's name
                        * without arguments), else name itself; not part
                        * of the canonical text */
} mb_schema_obj;

typedef struct mb_schema {
    mb_schema_obj *objs; /* sorted by kind, name, def (byte order) */
    size_t n;
    mb_arena text;       /* every string of objs */
} mb_schema;

#define MB_SCHEMA_INIT {NULL, 0, MB_ARENA_INIT}

/**
 * Read the user schema of the database behind conn.
 *
 * @param out   overwritten; free with mb_schema_free (also after a
 *              failure, which leaves it empty)
 * @param skip  tables to leave out, with everything that belongs to
 *              them (columns, indexes, constraints, triggers, owned
 *              sequences), and functions of those names: names as the
 *              snapshot writes them ("public.migbundle_version" on
 *              PostgreSQL, "migbundle_version" on SQLite); NULL when
 *              n_skip is 0
 * @return MB_OK, MB_EDB (a catalog query failed), MB_ENOMEM, or
 *         MB_EUSAGE for a backend whose dialect has no catalog queries
 */
int mb_schema_snapshot(mb_schema *out, const mb_backend *be, mb_conn *conn,
                       const char *const *skip, size_t n_skip,
                       mb_error *err);

/** Release everything; accepts MB_SCHEMA_INIT. */
void mb_schema_free(mb_schema *s);

/**
 * Append the canonical text of s to out: one line per object, in the
 * snapshot's order, "KIND NAME: DEF" (": DEF" only when DEF is not
 * empty), with backslash and newline in NAME and DEF written as "\\"
 * and "\n". Equal schemas give byte-identical texts.
 */
int mb_schema_text(mb_buf *out, const mb_schema *s, mb_error *err);

/**
 * Read back a canonical text written by mb_schema_text (a recorded
 * fingerprint): one object per line, escapes undone, owner = name. The
 * kind is the known kind the line starts with (the longest, so "foreign
 * key" and "materialized view" stay whole), else its first word. The
 * text is ambiguous only for a name that holds ": "; it is then split at
 * the first, which affects how a difference is shown, never whether
 * one is found (the hashes decide that).
 *
 * @param out  overwritten; free with mb_schema_free (also on failure)
 * @return MB_OK or MB_ENOMEM
 */
int mb_schema_parse(mb_schema *out, const char *text, size_t len,
                    mb_error *err);

enum mb_schema_change {
    MB_SCHEMA_ADDED = 1,   /* only in after */
    MB_SCHEMA_REMOVED = 2, /* only in before */
    MB_SCHEMA_CHANGED = 3  /* in both, with another definition */
};

typedef struct mb_schema_delta {
    int change;                  /* enum mb_schema_change */
    const mb_schema_obj *before; /* NULL when added */
    const mb_schema_obj *after;  /* NULL when removed */
} mb_schema_delta;

/** The differences between two snapshots; borrows from both. */
typedef struct mb_schema_diff {
    mb_schema_delta *v; /* in the snapshots' order (kind, then name) */
    size_t n;
} mb_schema_diff;

#define MB_SCHEMA_DIFF_INIT {NULL, 0}

/**
 * Compare two snapshots object by object (kind and name): out lists what
 * was added, removed and changed, empty when they are equal. before and
 * after must outlive out.
 * @return MB_OK or MB_ENOMEM (out is then empty)
 */
int mb_schema_diff_make(mb_schema_diff *out, const mb_schema *before,
                        const mb_schema *after, mb_error *err);

/** Release out; accepts MB_SCHEMA_DIFF_INIT. */
void mb_schema_diff_free(mb_schema_diff *d);

#endif

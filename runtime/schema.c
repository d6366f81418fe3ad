/*
 * schema.c -- snapshots of a database's user schema, their canonical
 * text, and the differences between two (see mb/schema.h).
 *
 * Each dialect has a fixed list of catalog queries. Every query returns
 * four text columns, one row per object: kind, qualified name,
 * definition, and the owner (the table an object belongs to, or the
 * object itself) by which the caller's skip list leaves objects out.
 * The rows are sorted here, in byte order, so that the result does not
 * depend on the catalogs' order or the server's collation.
 *
 * SQLite keeps the text of each CREATE statement as it was written, and
 * ALTER TABLE edits it in place: a column dropped and added again moves
 * to the end of the text. Tables are therefore described by their
 * pragmas (columns with type, nullability, default and primary key
 * position; foreign keys; UNIQUE constraints), which do not depend on
 * column order; indexes, views and triggers by their CREATE text with
 * runs of white space made one space. CHECK constraints and collations
 * of SQLite tables are not in the snapshot.
 *
 * PostgreSQL's objects come from pg_catalog through its own functions
 * (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef,
 * pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef), which print a
 * definition the same way whichever statement made it. Column positions
 * are left out there too (a column dropped and added again gets a new
 * attnum), and so are the members of extensions (CREATE EXTENSION is
 * one object, "extension"). Row-level security (the table's flags and
 * its policies) is compared; owners, grants and comments are not.
 */
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/schema.h"

typedef struct catalog_query {
    const char *sql;   /* four columns: kind, name, def, owner */
    int collapse;      /* 1: runs of white space in def become one space */
} catalog_query;

/* SQLite: user tables only (sqlite_* are SQLite's own). */
#define SQ_TABLES                                                          \
    "FROM sqlite_schema AS m WHERE m.type = 'table' AND m.name NOT LIKE "  \
    "'sqlite\\_%' ESCAPE '\\'"

static const catalog_query sqlite_queries[] = {
    {"SELECT 'table', m.name, '', m.name " SQ_TABLES, 0},
    {"SELECT 'column', m.name || '.' || c.name, trim(upper(c.type)"
     " || CASE WHEN c.\"notnull\" THEN ' NOT NULL' ELSE '' END"
     " || CASE WHEN c.dflt_value IS NOT NULL"
     "    THEN ' DEFAULT ' || c.dflt_value ELSE '' END"
     " || CASE WHEN c.pk > 0 THEN ' PRIMARY KEY ' || c.pk ELSE '' END"
     " || CASE c.hidden WHEN 2 THEN ' GENERATED VIRTUAL'"
     "    WHEN 3 THEN ' GENERATED STORED' ELSE '' END), m.name"
     " FROM sqlite_schema AS m, pragma_table_xinfo(m.name) AS c"
     " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
     0},
    {"SELECT 'foreign key', m.name || '(' || group_concat(f.\"from\", ', ')"
     " || ')', 'REFERENCES ' || f.\"table\" || '('"
     " || group_concat(coalesce(f.\"to\", ''), ', ') || ') ON UPDATE '"
     " || f.on_update || ' ON DELETE ' || f.on_delete, m.name"
     " FROM sqlite_schema AS m, pragma_foreign_key_list(m.name) AS f"
     " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
     " GROUP BY m.name, f.id",
     0},
    {"SELECT 'unique', m.name || '(' || (SELECT group_concat(i.name, ', ')"
     " FROM pragma_index_info(l.name) AS i) || ')', '', m.name"
     " FROM sqlite_schema AS m, pragma_index_list(m.name) AS l"
     " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
     " AND l.origin = 'u'",
     0},
    {"SELECT type, name, sql, tbl_name FROM sqlite_schema"
     " WHERE type IN ('index', 'view', 'trigger') AND sql IS NOT NULL"
     " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
     1},
};

/* PostgreSQL: the schemas that hold user objects. */
#define PG_USER_NS(n)                                                      \
    n ".nspname NOT IN ('pg_catalog', 'information_schema') AND " n        \
    ".nspname NOT LIKE 'pg\\_toast%' AND " n                               \
    ".nspname NOT LIKE 'pg\\_temp\\_%'"
/* ... and not a member of an extension (catalog, object's oid) */
#define PG_NOT_EXT(cat, oid)                                               \
    " AND NOT EXISTS (SELECT 1 FROM pg_depend AS e WHERE e.classid = '"    \
    cat "'::regclass AND e.objid = " oid " AND e.deptype = 'e')"
/* relations of namespace n, with their qualified name q */
#define PG_REL(c)                                                          \
    " FROM pg_class AS " c " JOIN pg_namespace AS n ON n.oid = " c         \
    ".relnamespace"
#define PG_QNAME(c) "n.nspname || '.' || " c ".relname"

static const catalog_query postgres_queries[] = {
    {"SELECT 'schema', n.nspname, '', n.nspname FROM pg_namespace AS n"
     " WHERE " PG_USER_NS("n") PG_NOT_EXT("pg_namespace", "n.oid"),
     0},
    {"SELECT 'extension', x.extname, 'SCHEMA ' || n.nspname, x.extname"
     " FROM pg_extension AS x JOIN pg_namespace AS n"
     " ON n.oid = x.extnamespace WHERE n.nspname <> 'pg_catalog'",
     0},
    {"SELECT 'table', " PG_QNAME("c") ", concat_ws(' ',"
     " CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED' END,"
     " CASE WHEN c.relrowsecurity THEN 'ROW LEVEL SECURITY' END,"
     " CASE WHEN c.relforcerowsecurity THEN 'FORCE' END,"
     " CASE c.relkind WHEN 'p' THEN 'PARTITION BY '"
     "  || pg_get_partkeydef(c.oid) WHEN 'f' THEN 'FOREIGN' END,"
     " CASE WHEN c.relispartition"
     "  THEN pg_get_expr(c.relpartbound, c.oid) END), " PG_QNAME("c")
     PG_REL("c") " WHERE c.relkind IN ('r', 'p', 'f') AND " PG_USER_NS("n")
     PG_NOT_EXT("pg_class", "c.oid"),
     0},
    {"SELECT 'column', " PG_QNAME("c") " || '.' || a.attname,"
     " concat_ws(' ', format_type(a.atttypid, a.atttypmod),"
     " CASE WHEN a.attcollation <> t.typcollation"
     "  THEN 'COLLATE ' || quote_ident(l.collname) END,"
     " CASE WHEN a.attnotnull THEN 'NOT NULL' END,"
     " CASE WHEN a.attgenerated = 's' THEN 'GENERATED ALWAYS AS ('"
     "  || pg_get_expr(d.adbin, d.adrelid) || ') STORED'"
     "  WHEN d.adbin IS NOT NULL"
     "  THEN 'DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) END,"
     " CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY'"
     "  WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END), "
     PG_QNAME("c") " FROM pg_attribute AS a"
     " JOIN pg_class AS c ON c.oid = a.attrelid"
     " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
     " JOIN pg_type AS t ON t.oid = a.atttypid"
     " LEFT JOIN pg_collation AS l ON l.oid = a.attcollation"
     " LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid"
     " AND d.adnum = a.attnum"
     " WHERE a.attnum > 0 AND NOT a.attisdropped"
     " AND c.relkind IN ('r', 'p', 'f') AND " PG_USER_NS("n")
     PG_NOT_EXT("pg_class", "c.oid"),
     0},
    {"SELECT 'constraint', " PG_QNAME("c") " || '.' || k.conname,"
     " pg_get_constraintdef(k.oid), " PG_QNAME("c")
     " FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid"
     " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
     " WHERE " PG_USER_NS("n") PG_NOT_EXT("pg_class", "c.oid"),
     0},
    {"SELECT 'constraint', n.nspname || '.' || t.typname || '.'"
     " || k.conname, pg_get_constraintdef(k.oid),"
     " n.nspname || '.' || t.typname"
     " FROM pg_constraint AS k JOIN pg_type AS t ON t.oid = k.contypid"
     " JOIN pg_namespace AS n ON n.oid = t.typnamespace"
     " WHERE " PG_USER_NS("n") PG_NOT_EXT("pg_type", "t.oid"),
     0},
    {"SELECT 'index', " PG_QNAME("i") ", pg_get_indexdef(i.oid), "
     "n.nspname || '.' || c.relname FROM pg_index AS x"
     " JOIN pg_class AS i ON i.oid = x.indexrelid"
     " JOIN pg_class AS c ON c.oid = x.indrelid"
     " JOIN pg_namespace AS n ON n.oid = i.relnamespace"
     " WHERE " PG_USER_NS("n") PG_NOT_EXT("pg_class", "c.oid"),
     0},
    {"SELECT 'sequence', " PG_QNAME("c") ", 'AS '"
     " || format_type(s.seqtypid, NULL) || ' INCREMENT ' || s.seqincrement"
     " || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax"
     " || ' START ' || s.seqstart || ' CACHE ' || s.seqcache"
     " || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END"
     " || coalesce(' OWNED BY ' || o.tbl || '.' || o.col, ''),"
     " coalesce(o.tbl, " PG_QNAME("c") ")"
     " FROM pg_sequence AS s JOIN pg_class AS c ON c.oid = s.seqrelid"
     " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
     " LEFT JOIN LATERAL (SELECT tn.nspname || '.' || tc.relname AS tbl,"
     "  ta.attname AS col FROM pg_depend AS d"
     "  JOIN pg_class AS tc ON tc.oid = d.refobjid"
     "  JOIN pg_namespace AS tn ON tn.oid = tc.relnamespace"
     "  JOIN pg_attribute AS ta ON ta.attrelid = d.refobjid"
     "  AND ta.attnum = d.refobjsubid"
     "  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
     "  AND d.refclassid = 'pg_class'::regclass"
     "  AND d.deptype IN ('a', 'i') LIMIT 1) AS o ON true"
     " WHERE " PG_USER_NS("n") PG_NOT_EXT("pg_class", "c.oid"),
     0},
    {"SELECT CASE c.relkind WHEN 'm' THEN 'materialized view'"
     " ELSE 'view' END, " PG_QNAME("c") ", pg_get_viewdef(c.oid), "
     PG_QNAME("c") PG_REL("c") " WHERE c.relkind IN ('v', 'm') AND "
     PG_USER_NS("n") PG_NOT_EXT("pg_class", "c.oid"),
     0},
    {"SELECT CASE p.prokind WHEN 'p' THEN 'procedure'"
     " WHEN 'a' THEN 'aggregate' ELSE 'function' END,"
     " n.nspname || '.' || p.proname || '('"
     " || pg_get_function_identity_arguments(p.oid) || ')',"
     " CASE WHEN p.prokind = 'a' THEN 'RETURNS '"
     "  || pg_get_function_result(p.oid)"
     "  ELSE pg_get_functiondef(p.oid) END,"
     " n.nspname || '.' || p.proname"
     " FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace"
     " WHERE " PG_USER_NS("n") PG_NOT_EXT("pg_proc", "p.oid"),
     0},
    {"SELECT 'type', n.nspname || '.' || t.typname, coalesce(CASE t.typtype"
     " WHEN 'e' THEN 'ENUM (' || coalesce((SELECT string_agg("
     "  quote_literal(v.enumlabel), ', ' ORDER BY v.enumsortorder)"
     "  FROM pg_enum AS v WHERE v.enumtypid = t.oid), '') || ')'"
     " WHEN 'd' THEN 'DOMAIN ' || format_type(t.typbasetype, t.typtypmod)"
     "  || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
     "  || coalesce(' DEFAULT ' || t.typdefault, '')"
     " WHEN 'c' THEN 'COMPOSITE (' || (SELECT string_agg("
     "  quote_ident(a.attname) || ' '"
     "  || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)"
     "  FROM pg_attribute AS a WHERE a.attrelid = t.typrelid"
     "  AND a.attnum > 0 AND NOT a.attisdropped) || ')'"
     " WHEN 'r' THEN 'RANGE (' || (SELECT format_type(r.rngsubtype, NULL)"
     "  FROM pg_range AS r WHERE r.rngtypid = t.oid) || ')'"
     " ELSE 'MULTIRANGE' END, ''), n.nspname || '.' || t.typname"
     " FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace"
     " WHERE (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c'"
     " AND (SELECT c.relkind FROM pg_class AS c WHERE c.oid = t.typrelid)"
     " = 'c')) AND " PG_USER_NS("n") PG_NOT_EXT("pg_type", "t.oid"),
     0},
    {"SELECT 'policy', " PG_QNAME("c") " || '.' || p.polname,"
     " concat_ws(' ', CASE WHEN p.polpermissive THEN 'PERMISSIVE'"
     "  ELSE 'RESTRICTIVE' END, 'FOR ' || CASE p.polcmd WHEN 'r'"
     "  THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'"
     "  WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
     " 'TO ' || (SELECT string_agg(q.role, ', ' ORDER BY q.role)"
     "  FROM (SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC'"
     "  ELSE quote_ident(pg_get_userbyid(r.oid)) END AS role"
     "  FROM unnest(p.polroles) AS r (oid)) AS q),"
     " 'USING (' || pg_get_expr(p.polqual, p.polrelid) || ')',"
     " 'WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')'),"
     " " PG_QNAME("c")
     " FROM pg_policy AS p JOIN pg_class AS c ON c.oid = p.polrelid"
     " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
     " WHERE " PG_USER_NS("n") PG_NOT_EXT("pg_class", "c.oid"),
     0},
    {"SELECT 'trigger', " PG_QNAME("c") " || '.' || g.tgname,"
     " pg_get_triggerdef(g.oid), " PG_QNAME("c")
     " FROM pg_trigger AS g JOIN pg_class AS c ON c.oid = g.tgrelid"
     " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
     " WHERE NOT g.tgisinternal AND " PG_USER_NS("n")
     PG_NOT_EXT("pg_class", "c.oid"),
     0},
};

static const struct {
    int dialect;
    const catalog_query *q;
    size_t n;
} dialects[] = {
    {MB_DIALECT_SQLITE, sqlite_queries,
     sizeof sqlite_queries / sizeof sqlite_queries[0]},
    {MB_DIALECT_POSTGRESQL, postgres_queries,
     sizeof postgres_queries / sizeof postgres_queries[0]},
};

/* Copy s into the arena, runs of white space made one space, trimmed. */
static char *collapsed(mb_arena *a, const char *s)
{
    size_t len = strlen(s), i, j = 0;
    char *out = mb_arena_alloc(a, len + 1);
    int space = 0;

    if (out == NULL)
        return NULL;
    for (i = 0; i < len; i++) {
        if (strchr(" \t\r\n\f\v", s[i]) != NULL) {
            space = j > 0;
            continue;
        }
        if (space)
            out[j++] = ' ';
        space = 0;
        out[j++] = s[i];
    }
    out[j] = '\0';
    return out;
}

static int skipped(const char *owner, const char *const *skip, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(owner, skip[i]) == 0)
            return 1;
    }
    return 0;
}

static int cmp_obj(const void *pa, const void *pb)
{
    const mb_schema_obj *a = pa, *b = pb;
    int c = strcmp(a->kind, b->kind);

    if (c == 0)
        c = strcmp(a->name, b->name);
    return c != 0 ? c : strcmp(a->def, b->def);
}

/* Append the rows of one query to out (capacity *cap). */
static int add_rows(mb_schema *out, size_t *cap, const mb_rows *r,
                    int collapse, const char *const *skip, size_t n_skip,
                    mb_error *err)
{
    size_t i;

    for (i = 0; i < r->nrows; i++) {
        char *const *cell = &r->cells[i * r->ncols];
        const char *def = cell[2] ? cell[2] : "";
        mb_schema_obj *o;

        if (cell[0] == NULL || cell[1] == NULL ||
            (cell[3] != NULL && skipped(cell[3], skip, n_skip)))
            continue;
        if (out->n == *cap) {
            size_t ncap = *cap ? *cap * 2 : 64;
            mb_schema_obj *v = mb_realloc(out->objs, ncap * sizeof *v);

            if (v == NULL)
                return mb_error_set(err, MB_ENOMEM, "out of memory");
            out->objs = v;
            *cap = ncap;
        }
        o = &out->objs[out->n];
        o->kind = mb_arena_strndup(&out->text, cell[0], strlen(cell[0]));
        o->name = mb_arena_strndup(&out->text, cell[1], strlen(cell[1]));
        o->def = collapse ? collapsed(&out->text, def)
                          : mb_arena_strndup(&out->text, def, strlen(def));
        o->owner = cell[3] == NULL ? o->name
                                   : mb_arena_strndup(&out->text, cell[3],
                                                      strlen(cell[3]));
        if (o->kind == NULL || o->name == NULL || o->def == NULL ||
            o->owner == NULL)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        out->n++;
    }
    return MB_OK;
}

int mb_schema_snapshot(mb_schema *out, const mb_backend *be, mb_conn *conn,
                       const char *const *skip, size_t n_skip,
                       mb_error *err)
{
    const catalog_query *q = NULL;
    size_t i, n = 0, cap = 0;
    int rc = MB_OK;

    *out = (mb_schema)MB_SCHEMA_INIT;
    for (i = 0; i < sizeof dialects / sizeof dialects[0]; i++) {
        if (dialects[i].dialect == be->dialect) {
            q = dialects[i].q;
            n = dialects[i].n;
        }
    }
    if (q == NULL)
        return mb_error_set(err, MB_EUSAGE, "cannot read the schema of a "
                            "%s database", be->scheme);
    for (i = 0; i < n && rc == MB_OK; i++) {
        mb_rows r = MB_ROWS_INIT;

        if ((rc = be->query(conn, q[i].sql, 0, NULL, &r, err)) < 0) {
            char what[sizeof err->msg];

            memcpy(what, err->msg, sizeof what);
            mb_error_set(err, rc, "could not read the schema: %s", what);
        } else if (r.ncols != 4) {
            rc = mb_error_set(err, MB_EDB, "could not read the schema: a "
                              "catalog query returned %zu columns, not 4",
                              r.ncols);
        } else {
            rc = add_rows(out, &cap, &r, q[i].collapse, skip, n_skip, err);
        }
        mb_rows_free(&r);
    }
    if (rc < 0) {
        mb_schema_free(out);
        return rc;
    }
    if (out->n > 0)
        qsort(out->objs, out->n, sizeof *out->objs, cmp_obj);
    return MB_OK;
}

void mb_schema_free(mb_schema *s)
{
    free(s->objs);
    s->objs = NULL;
    s->n = 0;
    mb_arena_free(&s->text);
}

/* Append s with backslash and newline escaped. */
static int put_escaped(mb_buf *out, const char *s, mb_error *err)
{
    int rc = MB_OK;

    for (; *s != '\0' && rc == MB_OK; s++) {
        if (*s == '\\')
            rc = mb_buf_puts(out, "\\\\", err);
        else if (*s == '\n')
            rc = mb_buf_puts(out, "\\n", err);
        else
            rc = mb_buf_put(out, s, 1, err);
    }
    return rc;
}

int mb_schema_text(mb_buf *out, const mb_schema *s, mb_error *err)
{
    size_t i;
    int rc = MB_OK;

    for (i = 0; i < s->n && rc == MB_OK; i++) {
        const mb_schema_obj *o = &s->objs[i];

        if ((rc = mb_buf_puts(out, o->kind, err)) < 0 ||
            (rc = mb_buf_puts(out, " ", err)) < 0 ||
            (rc = put_escaped(out, o->name, err)) < 0)
            break;
        if (o->def[0] != '\0' &&
            ((rc = mb_buf_puts(out, ": ", err)) < 0 ||
             (rc = put_escaped(out, o->def, err)) < 0))
            break;
        rc = mb_buf_puts(out, "\n", err);
    }
    return rc;
}

/* The kinds the catalog queries above write that hold a space; every
 * other kind is one word. */
static const char *const spaced_kinds[] = {"foreign key",
                                           "materialized view"};

/* Copy s[0..n) into the arena with the escapes of put_escaped undone. */
static char *unescaped(mb_arena *a, const char *s, size_t n)
{
    char *out = mb_arena_alloc(a, n + 1);
    size_t i, j = 0;

    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            i++;
            out[j++] = s[i] == 'n' ? '\n' : s[i];
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    return out;
}

/* Split one line "KIND NAME[: DEF]" into o. */
static int parse_line(mb_arena *a, mb_schema_obj *o, const char *p,
                      size_t n)
{
    const char *end = p + n, *name = NULL, *colon;
    size_t i;

    for (i = 0; i < sizeof spaced_kinds / sizeof spaced_kinds[0]; i++) {
        size_t k = strlen(spaced_kinds[i]);

        if (n > k && memcmp(p, spaced_kinds[i], k) == 0 && p[k] == ' ')
            name = p + k + 1;
    }
    if (name == NULL) {
        name = memchr(p, ' ', n);
        name = name ? name + 1 : end;
    }
    o->kind = mb_arena_strndup(a, p, (size_t)(name - p) -
                                         (name > p && name[-1] == ' '));
    colon = name;
    while (colon + 1 < end && !(colon[0] == ':' && colon[1] == ' '))
        colon++;
    if (colon + 1 >= end)
        colon = end;
    o->name = unescaped(a, name, (size_t)(colon - name));
    o->def = colon == end ? unescaped(a, "", 0)
                          : unescaped(a, colon + 2,
                                      (size_t)(end - colon - 2));
    o->owner = o->name;
    return o->kind && o->name && o->def ? MB_OK : MB_ENOMEM;
}

int mb_schema_parse(mb_schema *out, const char *text, size_t len,
                    mb_error *err)
{
    const char *p = text, *end = text + len;
    size_t lines = 0, i;

    *out = (mb_schema)MB_SCHEMA_INIT;
    for (i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (lines == 0)
        return MB_OK;
    out->objs = mb_calloc(lines, sizeof *out->objs);
    if (out->objs == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    /* each pass consumes one line; at most `lines` of them */
    while (p < end && out->n < lines) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if (nl == NULL)
            break;
        if (nl > p &&
            parse_line(&out->text, &out->objs[out->n++], p,
                       (size_t)(nl - p)) < 0) {
            mb_schema_free(out);
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        }
        p = nl + 1;
    }
    if (out->n > 0)
        qsort(out->objs, out->n, sizeof *out->objs, cmp_obj);
    return MB_OK;
}

static int cmp_key(const mb_schema_obj *a, const mb_schema_obj *b)
{
    int c = strcmp(a->kind, b->kind);

    return c != 0 ? c : strcmp(a->name, b->name);
}

int mb_schema_diff_make(mb_schema_diff *out, const mb_schema *before,
                        const mb_schema *after, mb_error *err)
{
    size_t i = 0, j = 0, cap = before->n + after->n;

    *out = (mb_schema_diff)MB_SCHEMA_DIFF_INIT;
    if (cap == 0)
        return MB_OK;
    out->v = mb_calloc(cap, sizeof *out->v);
    if (out->v == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    /* a merge of two sorted lists: each step consumes at least one */
    while (i < before->n || j < after->n) {
        const mb_schema_obj *a = i < before->n ? &before->objs[i] : NULL;
        const mb_schema_obj *b = j < after->n ? &after->objs[j] : NULL;
        int c = a == NULL ? 1 : b == NULL ? -1 : cmp_key(a, b);
        mb_schema_delta *d = &out->v[out->n];

        if (c < 0) {
            *d = (mb_schema_delta){MB_SCHEMA_REMOVED, a, NULL};
            out->n++;
            i++;
        } else if (c > 0) {
            *d = (mb_schema_delta){MB_SCHEMA_ADDED, NULL, b};
            out->n++;
            j++;
        } else {
            if (strcmp(a->def, b->def) != 0) {
                *d = (mb_schema_delta){MB_SCHEMA_CHANGED, a, b};
                out->n++;
            }
            i++;
            j++;
        }
    }
    return MB_OK;
}

void mb_schema_diff_free(mb_schema_diff *d)
{
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

/*
 * drift.c -- the schema fingerprint table and the drift check (see
 * mb/drift.h).
 *
 * The fingerprint table is named after the version table: its name with
 * a trailing "_version" replaced by "_schema" (migbundle_version gives
 * migbundle_schema), else with "_schema" appended; it lives in the same
 * schema. It is created with CREATE TABLE IF NOT EXISTS by the first run
 * that records, so a database made by an older release gains it without
 * any other change. It is append-only, as the log is: SQLite triggers
 * (named after it, _no_update and _no_delete) raise ABORT on UPDATE and
 * DELETE, a PostgreSQL statement trigger and its function (_append_only)
 * raise an exception on UPDATE, DELETE and TRUNCATE. Each recording
 * looks for that guard and creates it when it is missing, so a table
 * made by a release before the guard gains it on the next run that
 * records. The snapshot leaves out the version, log and fingerprint
 * tables with everything that belongs to them (the triggers), and the two
 * append-only functions: a run changes those without drifting.
 *
 * The canonical text is stored whole, uncompressed: a few hundred bytes
 * a table, and an auditor reads it with SQL alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/drift.h"
#include "mb/fault.h"
#include "mb/plan.h"

/* The guard's message (the log's says "the migration log"). */
#define APPEND_ONLY "the schema fingerprint table is append-only"

/* The PostgreSQL guard function's name: the table's, then this. */
#define GUARD_FUNCTION "_append_only"

/* One statement of the guard: @S the table's quoted, qualified name, @T
 * the quoted name of the table's name followed by "_" suffix (a
 * trigger), @F the function's, qualified as the table is. */
typedef struct guard_stmt {
    const char *sql;
    const char *suffix;
} guard_stmt;

/* Per dialect: the fingerprint table's DDL (@S its quoted name), its
 * append-only guard (ends with a NULL sql) and the query that returns a
 * row when the guard is in place ($1 the table's schema, NULL for the
 * current one; $2 its unquoted name), the query of the schema
 * unqualified names go to (NULL: names in the snapshot are not
 * qualified), and recorded_at as UTC ISO-8601 text. */
typedef struct drift_dialect {
    int dialect;
    const char *ddl;
    guard_stmt guard[3];
    const char *guarded;
    const char *current_schema;
    const char *recorded_at;
} drift_dialect;

static const drift_dialect dialects[] = {
    {MB_DIALECT_SQLITE,
     "CREATE TABLE IF NOT EXISTS @S (\n"
     "    id            INTEGER PRIMARY KEY AUTOINCREMENT,\n"
     "    heads         TEXT NOT NULL,\n"
     "    checksum      TEXT NOT NULL,\n"
     "    schema_text   TEXT NOT NULL,\n"
     "    bundle_digest TEXT NOT NULL,\n"
     "    recorded_at   TEXT NOT NULL\n"
     ")",
     {{"CREATE TRIGGER IF NOT EXISTS @T BEFORE UPDATE ON @S\n"
       "BEGIN SELECT RAISE(ABORT, '" APPEND_ONLY "'); END", "no_update"},
      {"CREATE TRIGGER IF NOT EXISTS @T BEFORE DELETE ON @S\n"
       "BEGIN SELECT RAISE(ABORT, '" APPEND_ONLY "'); END", "no_delete"},
      {NULL, NULL}},
     "SELECT 1 WHERE (SELECT count(*) FROM sqlite_master WHERE type = "
     "'trigger' AND tbl_name = $2 AND name IN ($2 || '_no_update', "
     "$2 || '_no_delete')) = 2",
     NULL, "recorded_at"},
    {MB_DIALECT_POSTGRESQL,
     "CREATE TABLE IF NOT EXISTS @S (\n"
     "    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
     "    heads         TEXT NOT NULL,\n"
     "    checksum      TEXT NOT NULL,\n"
     "    schema_text   TEXT NOT NULL,\n"
     "    bundle_digest TEXT NOT NULL,\n"
     "    recorded_at   TIMESTAMPTZ NOT NULL\n"
     ")",
     {{"CREATE OR REPLACE FUNCTION @F() RETURNS trigger\n"
       "LANGUAGE plpgsql AS $mb$ BEGIN\n"
       "    RAISE EXCEPTION '" APPEND_ONLY "';\n"
       "END $mb$", NULL},
      {"CREATE OR REPLACE TRIGGER @T\n"
       "BEFORE UPDATE OR DELETE OR TRUNCATE ON @S\n"
       "FOR EACH STATEMENT EXECUTE FUNCTION @F()", "append_only"},
      {NULL, NULL}},
     "SELECT 1 FROM pg_catalog.pg_trigger AS t "
     "JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid "
     "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
     "WHERE n.nspname = coalesce($1::text, current_schema()) "
     "AND c.relname = $2::text "
     "AND t.tgname = $2::text || '" GUARD_FUNCTION "'",
     "SELECT current_schema()",
     "to_char(recorded_at AT TIME ZONE 'UTC', "
     "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"},
};

static const drift_dialect *dialect_of(const mb_vtable *vt)
{
    size_t i;

    for (i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
        if (dialects[i].dialect == vt->be->dialect)
            return &dialects[i];
    return NULL;
}

/* The fingerprint table's unquoted name. */
static int table_name(const mb_vtable *vt, mb_buf *out, mb_error *err)
{
    const char *v = vt->version_name;
    size_t n = strlen(v), k = strlen("_version");

    if (n > k && strcmp(v + n - k, "_version") == 0)
        return mb_buf_printf(out, err, "%.*s_schema", (int)(n - k), v);
    return mb_buf_printf(out, err, "%s_schema", v);
}

/* The quoted name of the table's name followed by suffix ("": the
 * table's), schema-qualified when qualify is 1. */
static int object_q(mb_vtable *vt, mb_buf *out, const char *suffix,
                    int qualify, mb_error *err)
{
    mb_buf name = MB_BUF_INIT;
    int rc;

    if ((rc = table_name(vt, &name, err)) == MB_OK)
        rc = mb_buf_puts(&name, suffix, err);
    if (rc == MB_OK && qualify && vt->schema != NULL &&
        ((rc = vt->be->quote_ident(vt->conn, out, vt->schema, err)) < 0 ||
         (rc = mb_buf_put(out, ".", 1, err)) < 0)) {
        mb_buf_free(&name);
        return rc;
    }
    if (rc == MB_OK)
        rc = vt->be->quote_ident(vt->conn, out, name.ptr, err);
    mb_buf_free(&name);
    return rc;
}

/* The table's quoted, schema-qualified name. */
static int table_q(mb_vtable *vt, mb_buf *out, mb_error *err)
{
    return object_q(vt, out, "", 1, err);
}

/* Snapshot the live schema without migbundle's own objects; its text
 * into text and the text's checksum into sum. */
static int take(mb_vtable *vt, mb_schema *live, mb_buf *text,
                char sum[MB_CHECKSUM_HEX + 1], mb_error *err)
{
    const drift_dialect *d = dialect_of(vt);
    mb_buf names[5] = {MB_BUF_INIT, MB_BUF_INIT, MB_BUF_INIT, MB_BUF_INIT,
                       MB_BUF_INIT};
    mb_buf fp = MB_BUF_INIT, guard = MB_BUF_INIT, fp_guard = MB_BUF_INIT;
    const char *schema = vt->schema, *skip[5];
    mb_rows r = MB_ROWS_INIT;
    size_t i;
    int rc;

    if (d == NULL)
        return mb_error_set(err, MB_EUSAGE, "cannot read the schema of a "
                            "%s database", vt->be->scheme);
    if (schema == NULL && d->current_schema != NULL) {
        if ((rc = vt->be->query(vt->conn, d->current_schema, 0, NULL, &r,
                                err)) < 0)
            goto done;
        schema = r.nrows == 1 && r.ncols == 1 ? r.cells[0] : NULL;
    }
    if ((rc = table_name(vt, &fp, err)) < 0 ||
        (rc = mb_buf_printf(&guard, err, "%s_append_only",
                            vt->log_name)) < 0 ||
        (rc = mb_buf_printf(&fp_guard, err, "%s" GUARD_FUNCTION,
                            fp.ptr)) < 0)
        goto done;
    {
        const char *bare[5] = {vt->version_name, vt->log_name, fp.ptr,
                               guard.ptr, fp_guard.ptr};

        for (i = 0; i < 5 && rc == MB_OK; i++) {
            rc = d->current_schema == NULL || schema == NULL
                     ? mb_buf_puts(&names[i], bare[i], err)
                     : mb_buf_printf(&names[i], err, "%s.%s", schema,
                                     bare[i]);
            skip[i] = names[i].ptr;
        }
    }
    if (rc == MB_OK)
        rc = mb_schema_snapshot(live, vt->be, vt->conn, skip, 5, err);
    if (rc == MB_OK && (rc = mb_schema_text(text, live, err)) == MB_OK)
        mb_checksum_hex(sum, text->ptr ? text->ptr : "", text->len);
done:
    for (i = 0; i < 5; i++)
        mb_buf_free(&names[i]);
    mb_buf_free(&fp);
    mb_buf_free(&guard);
    mb_buf_free(&fp_guard);
    mb_rows_free(&r);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int mb_drift_heads(mb_buf *out, const mb_graph *g,
                   const unsigned char *applied, mb_error *err)
{
    size_t *heads = NULL, n = 0, i;
    const char **ids = NULL;
    int rc;

    if ((rc = mb_applied_heads(&heads, &n, g, applied, err)) < 0)
        return rc;
    if (n > 0 && (ids = calloc(n, sizeof *ids)) == NULL)
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
    for (i = 0; i < n && rc == MB_OK; i++)
        ids[i] = g->nodes[heads[i]].rev->id;
    if (rc == MB_OK && n > 1)
        qsort(ids, n, sizeof *ids, cmp_str);
    for (i = 0; i < n && rc == MB_OK; i++)
        rc = mb_buf_printf(out, err, "%s%s", i ? " " : "", ids[i]);
    if (rc == MB_OK && n == 0)
        rc = mb_buf_puts(out, "", err);
    free(ids);
    free(heads);
    return rc;
}

/* Append tmpl to out with @S, @T and @F replaced (see guard_stmt). */
static int guard_text(mb_vtable *vt, mb_buf *out, const guard_stmt *g,
                      mb_error *err)
{
    const char *p = g->sql;
    char suffix[32];
    int rc = MB_OK;

    snprintf(suffix, sizeof suffix, "_%s", g->suffix ? g->suffix : "");
    while (*p != '\0' && rc == MB_OK) {
        const char *at = strchr(p, '@');
        size_t n = at ? (size_t)(at - p) : strlen(p);

        if ((rc = mb_buf_put(out, p, n, err)) < 0 || at == NULL)
            break;
        if (at[1] == 'S')
            rc = table_q(vt, out, err);
        else if (at[1] == 'T')
            rc = object_q(vt, out, suffix, 0, err);
        else if (at[1] == 'F')
            rc = object_q(vt, out, GUARD_FUNCTION, 1, err);
        else
            rc = mb_buf_put(out, at, 2, err);
        p = at + 2;
    }
    return rc;
}

/*
 * Make the fingerprint table append-only unless it is already: a table
 * just created (exists 0) gets the guard at once; an existing one when
 * d->guarded finds it missing (made by a release before the guard).
 */
static int guard(mb_vtable *vt, const drift_dialect *d, int exists,
                 mb_error *err)
{
    const char *params[2] = {vt->schema, NULL};
    mb_buf name = MB_BUF_INIT, sql = MB_BUF_INIT;
    mb_rows r = MB_ROWS_INIT;
    size_t i;
    int rc;

    if ((rc = MB_FAULT("fingerprint_guard", err)) < 0 ||
        (rc = table_name(vt, &name, err)) < 0)
        goto done;
    params[1] = name.ptr;
    if (exists &&
        ((rc = vt->be->query(vt->conn, d->guarded, 2, params, &r, err)) < 0 ||
         r.nrows > 0))
        goto done;
    for (i = 0; d->guard[i].sql != NULL && rc == MB_OK; i++) {
        mb_buf_clear(&sql);
        if ((rc = guard_text(vt, &sql, &d->guard[i], err)) == MB_OK)
            rc = vt->be->query(vt->conn, sql.ptr, 0, NULL, NULL, err);
    }
done:
    mb_buf_free(&name);
    mb_buf_free(&sql);
    mb_rows_free(&r);
    return rc;
}

int mb_drift_record(mb_vtable *vt, const char *heads,
                    const char *bundle_digest, mb_error *err)
{
    const drift_dialect *d = dialect_of(vt);
    mb_schema live = MB_SCHEMA_INIT;
    mb_buf text = MB_BUF_INIT, q = MB_BUF_INIT, sql = MB_BUF_INIT;
    mb_buf name = MB_BUF_INIT;
    char sum[MB_CHECKSUM_HEX + 1], now[32];
    const char *at;
    int rc, exists = 0;

    if ((rc = MB_FAULT("fingerprint", err)) < 0 ||
        (rc = take(vt, &live, &text, sum, err)) < 0 ||
        (rc = table_q(vt, &q, err)) < 0 ||
        (rc = table_name(vt, &name, err)) < 0 ||
        (rc = vt->be->table_exists(vt->conn, vt->schema, name.ptr, &exists,
                                   err)) < 0)
        goto done;
    /* looked for first: IF NOT EXISTS alone makes PostgreSQL say so */
    at = strstr(d->ddl, "@S");
    if ((!exists &&
         ((rc = mb_buf_printf(&sql, err, "%.*s%s%s", (int)(at - d->ddl),
                              d->ddl, q.ptr, at + 2)) < 0 ||
          (rc = vt->be->query(vt->conn, sql.ptr, 0, NULL, NULL, err)) < 0)) ||
        (rc = guard(vt, d, exists, err)) < 0)
        goto done;
    mb_now_iso(now);
    mb_buf_clear(&sql);
    if ((rc = mb_buf_printf(&sql, err, "INSERT INTO %s (heads, checksum, "
                            "schema_text, bundle_digest, recorded_at) "
                            "VALUES ($1, $2, $3, $4, $5)", q.ptr)) == MB_OK) {
        const char *params[5] = {heads, sum, text.ptr ? text.ptr : "",
                                 bundle_digest, now};

        rc = vt->be->query(vt->conn, sql.ptr, 5, params, NULL, err);
    }
done:
    mb_schema_free(&live);
    mb_buf_free(&name);
    mb_buf_free(&text);
    mb_buf_free(&q);
    mb_buf_free(&sql);
    return rc;
}

/* Read the latest fingerprint row into d (state NONE when none) and
 * its text into text. */
static int latest(mb_vtable *vt, mb_drift *d, mb_buf *text, mb_error *err)
{
    mb_buf name = MB_BUF_INIT, q = MB_BUF_INIT, sql = MB_BUF_INIT;
    mb_rows r = MB_ROWS_INIT;
    int exists = 0, rc;

    if (dialect_of(vt) == NULL)
        return mb_error_set(err, MB_EUSAGE, "no schema fingerprints on a "
                            "%s database", vt->be->scheme);
    if ((rc = table_name(vt, &name, err)) < 0 ||
        (rc = vt->be->table_exists(vt->conn, vt->schema, name.ptr, &exists,
                                   err)) < 0 ||
        !exists || (rc = table_q(vt, &q, err)) < 0 ||
        (rc = mb_buf_printf(&sql, err, "SELECT heads, checksum, "
                            "schema_text, %s FROM %s ORDER BY id DESC "
                            "LIMIT 1", dialect_of(vt)->recorded_at,
                            q.ptr)) < 0 ||
        (rc = vt->be->query(vt->conn, sql.ptr, 0, NULL, &r, err)) < 0)
        goto done;
    if (r.nrows == 1 && r.ncols == 4) {
        char *const *c = r.cells;

        d->state = MB_DRIFT_OTHER;
        snprintf(d->recorded_sum, sizeof d->recorded_sum, "%s",
                 c[1] ? c[1] : "");
        if ((rc = mb_buf_puts(&d->heads, c[0] ? c[0] : "", err)) < 0 ||
            (rc = mb_buf_puts(text, c[2] ? c[2] : "", err)) < 0 ||
            (rc = mb_buf_puts(&d->recorded_at, c[3] ? c[3] : "", err)) < 0)
            goto done;
    }
done:
    mb_buf_free(&name);
    mb_buf_free(&q);
    mb_buf_free(&sql);
    mb_rows_free(&r);
    return rc;
}

int mb_drift_check(mb_vtable *vt, const char *heads, mb_drift *out,
                   mb_error *err)
{
    mb_buf rec = MB_BUF_INIT, live = MB_BUF_INIT;
    char sum[MB_CHECKSUM_HEX + 1];
    int rc;

    *out = (mb_drift)MB_DRIFT_INIT;
    if ((rc = latest(vt, out, &rec, err)) < 0 ||
        out->state == MB_DRIFT_NONE ||
        strcmp(out->heads.ptr ? out->heads.ptr : "", heads) != 0)
        goto done;
    mb_checksum_hex(sum, rec.ptr ? rec.ptr : "", rec.len);
    if (strcmp(sum, out->recorded_sum) != 0) {
        out->state = MB_DRIFT_BROKEN;
        goto done;
    }
    if ((rc = take(vt, &out->live, &live, out->live_sum, err)) < 0)
        goto done;
    if (strcmp(out->live_sum, out->recorded_sum) == 0) {
        out->state = MB_DRIFT_EQUAL;
        goto done;
    }
    out->state = MB_DRIFT_FOUND;
    if ((rc = mb_schema_parse(&out->recorded, rec.ptr ? rec.ptr : "",
                              rec.len, err)) == MB_OK)
        rc = mb_schema_diff_make(&out->diff, &out->recorded, &out->live,
                                 err);
done:
    mb_buf_free(&rec);
    mb_buf_free(&live);
    if (rc < 0)
        mb_drift_free(out);
    return rc;
}

void mb_drift_free(mb_drift *d)
{
    mb_buf_free(&d->heads);
    mb_buf_free(&d->recorded_at);
    mb_schema_diff_free(&d->diff);
    mb_schema_free(&d->recorded);
    mb_schema_free(&d->live);
}

int mb_drift_report(const mb_drift *d, const char *prefix, mb_report *rep,
                    mb_error *err)
{
    size_t i;
    int rc = MB_OK;

    for (i = 0; i < d->diff.n && rc == MB_OK; i++) {
        const mb_schema_delta *x = &d->diff.v[i];
        const mb_schema_obj *o = x->after ? x->after : x->before;

        if (x->change == MB_SCHEMA_CHANGED)
            rc = mb_report_add(rep, err, "%schanged %s %s (recorded: %s; "
                               "now: %s)", prefix, o->kind, o->name,
                               x->before->def, x->after->def);
        else
            rc = mb_report_add(rep, err, "%s%s %s %s", prefix,
                               mb_drift_change_name(x->change), o->kind,
                               o->name);
    }
    return rc;
}

const char *mb_drift_change_name(int change)
{
    return change == MB_SCHEMA_ADDED     ? "added"
           : change == MB_SCHEMA_REMOVED ? "removed"
                                         : "changed";
}

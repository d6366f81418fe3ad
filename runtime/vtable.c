/*
 * vtable.c -- the version and log tables (see mb/vtable.h).
 *
 * SQL here is built only from fixed text and identifiers quoted by the
 * backend; every value is a parameter. The log table is append-only: the
 * runtime never updates or deletes its rows, and on SQLite triggers make
 * the database refuse to do so too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/fault.h"
#include "mb/plan.h"
#include "mb/vtable.h"

/* The fault points of a version row and a log row (mb/fault.h). */
static int row_faults(int version, int log, mb_error *err)
{
    int rc = MB_OK;

    if (version)
        rc = MB_FAULT("version", err);
    if (rc == MB_OK && log)
        rc = MB_FAULT("log", err);
    return rc;
}

/* Append the quoted, optionally schema-qualified name to out. */
static int qualified(mb_vtable *vt, mb_buf *out, const char *name,
                     mb_error *err)
{
    int rc;

    if (vt->schema != NULL &&
        ((rc = vt->be->quote_ident(vt->conn, out, vt->schema, err)) < 0 ||
         (rc = mb_buf_put(out, ".", 1, err)) < 0))
        return rc;
    return vt->be->quote_ident(vt->conn, out, name, err);
}

int mb_vtable_init(mb_vtable *vt, const mb_backend *be, mb_conn *c,
                   const char *schema, const char *version_name,
                   const char *log_name, mb_error *err)
{
    mb_buf guard = MB_BUF_INIT;
    int rc;

    memset(vt, 0, sizeof *vt);
    vt->be = be;
    vt->conn = c;
    vt->schema = schema;
    vt->version_name = version_name;
    vt->log_name = log_name;
    if ((rc = qualified(vt, &vt->version_q, version_name, err)) < 0 ||
        (rc = qualified(vt, &vt->log_q, log_name, err)) < 0 ||
        (rc = mb_buf_printf(&guard, err, "%s_append_only", log_name)) < 0 ||
        (rc = qualified(vt, &vt->guard_q, guard.ptr, err)) < 0 ||
        (rc = mb_buf_printf(&vt->lock_key, err, "migbundle:%s",
                            vt->version_q.ptr)) < 0)
        mb_vtable_free(vt);
    mb_buf_free(&guard);
    return rc;
}

void mb_vtable_free(mb_vtable *vt)
{
    mb_buf_free(&vt->version_q);
    mb_buf_free(&vt->log_q);
    mb_buf_free(&vt->guard_q);
    mb_buf_free(&vt->lock_key);
}

/* A UTC ISO-8601 timestamp column as text, the same on every backend. */
static const char *iso(const mb_vtable *vt, const char *col, char *buf,
                       size_t size)
{
    if (vt->be->dialect == MB_DIALECT_POSTGRESQL)
        snprintf(buf, size, "to_char(%s AT TIME ZONE 'UTC', "
                 "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", col);
    else
        snprintf(buf, size, "%s", col);
    return buf;
}

/* A cell of a result set; SQL NULL becomes "". */
static const char *cell_text(const char *cell)
{
    return cell != NULL ? cell : "";
}

/*
 * Room for rows->nrows typed rows of size bytes each (zeroed), and the
 * result's text moved into *text, which the typed rows then point into.
 * NULL (err set) when out of memory; the text stays with rows then.
 */
static void *take_rows(mb_rows *rows, size_t size, mb_arena *text,
                       mb_error *err)
{
    void *typed = mb_calloc(rows->nrows ? rows->nrows : 1, size);

    if (typed == NULL) {
        mb_error_set(err, MB_ENOMEM, "out of memory");
        return NULL;
    }
    *text = rows->text;
    rows->text = (mb_arena)MB_ARENA_INIT;
    return typed;
}

/*
 * The version table's query failed: when the table is Alembic's (a
 * version_num column), say so and what to do instead of the SQL error.
 * rc is returned when it is not.
 */
static int alembic_table(mb_vtable *vt, int rc, mb_error *err)
{
    mb_buf sql = MB_BUF_INIT, heads = MB_BUF_INIT;
    mb_rows rows = MB_ROWS_INIT;
    mb_error probe = MB_ERROR_INIT;
    size_t i;

    if (mb_buf_printf(&sql, &probe, "SELECT version_num FROM %s ORDER BY "
                      "version_num", vt->version_q.ptr) < 0 ||
        vt->be->query(vt->conn, sql.ptr, 0, NULL, &rows, &probe) < 0) {
        mb_buf_free(&sql);
        return rc;
    }
    for (i = 0; i < rows.nrows && i < 16; i++)
        if (mb_buf_printf(&heads, &probe, "%s%s", i ? " " : "",
                          cell_text(rows.cells[i * rows.ncols])) < 0)
            break;
    mb_error_set(err, MB_EUSAGE, "table \"%s\" is Alembic's version table "
                 "(a version_num column), not migbundle's", vt->version_name);
    mb_error_detail(err, "Alembic recorded %s%s", heads.ptr && heads.ptr[0]
                    ? "the heads: " : "no revision", heads.ptr ? heads.ptr
                                                                 : "");
    mb_error_hint(err, "leave --version-table out (migbundle keeps its own "
                  "table, " MB_VERSION_TABLE ") and record the same state "
                  "once with \"stamp%s%s\"; the schema is already there",
                  heads.ptr && heads.ptr[0] ? " " : " base",
                  heads.ptr ? heads.ptr : "");
    mb_buf_free(&sql);
    mb_buf_free(&heads);
    mb_rows_free(&rows);
    return MB_EUSAGE;
}

int mb_vtable_read(mb_vtable *vt, mb_versions *out, mb_error *err)
{
    mb_buf sql = MB_BUF_INIT;
    mb_rows rows = MB_ROWS_INIT;
    size_t i;
    int exists, rc;
    char at[128];

    memset(out, 0, sizeof *out);
    if ((rc = vt->be->table_exists(vt->conn, vt->schema, vt->version_name,
                                   &exists, err)) < 0 || !exists)
        return rc;
    /* only the four documented columns: later versions may add more */
    if ((rc = mb_buf_printf(&sql, err, "SELECT revision, checksum, %s, "
                            "bundle_digest FROM %s ORDER BY revision",
                            iso(vt, "applied_at", at, sizeof at),
                            vt->version_q.ptr)) < 0)
        goto done;
    if ((rc = vt->be->query(vt->conn, sql.ptr, 0, NULL, &rows, err)) < 0) {
        if (rc == MB_EDB)
            rc = alembic_table(vt, rc, err);
        goto done;
    }
    if ((out->rows = take_rows(&rows, sizeof *out->rows, &out->text,
                               err)) == NULL) {
        rc = MB_ENOMEM;
        goto done;
    }
    for (i = 0; i < rows.nrows; i++) {
        mb_version_row *r = &out->rows[i];
        char **cell = rows.cells + i * rows.ncols;

        r->revision = cell_text(cell[0]);
        r->checksum = cell_text(cell[1]);
        r->applied_at = cell_text(cell[2]);
        r->bundle_digest = cell_text(cell[3]);
    }
    out->n = rows.nrows;
done:
    if (rc < 0)
        mb_versions_free(out);
    mb_rows_free(&rows);
    mb_buf_free(&sql);
    return rc;
}

typedef struct ddl_stmt {
    const char *sql;     /* @V version table, @L log table, @T trigger,
                          * @F guard function */
    const char *trigger; /* suffix of the trigger name, or NULL */
} ddl_stmt;

/* Append tmpl to out with the @V, @L and @T placeholders replaced. */
static int expand(mb_buf *out, const char *tmpl, const mb_vtable *vt,
                  const char *trigger_q, mb_error *err)
{
    const char *p = tmpl;
    int rc = MB_OK;

    while (*p != '\0' && rc == MB_OK) {
        const char *at = strchr(p, '@');
        size_t n = at ? (size_t)(at - p) : strlen(p);

        if ((rc = mb_buf_put(out, p, n, err)) < 0 || at == NULL)
            break;
        if (at[1] == 'V')
            rc = mb_buf_puts(out, vt->version_q.ptr, err);
        else if (at[1] == 'L')
            rc = mb_buf_puts(out, vt->log_q.ptr, err);
        else if (at[1] == 'T')
            rc = mb_buf_puts(out, trigger_q ? trigger_q : "", err);
        else if (at[1] == 'F')
            rc = mb_buf_puts(out, vt->guard_q.ptr, err);
        else
            rc = mb_buf_put(out, at, 2, err);
        p = at + 2;
    }
    return rc;
}

/* Append one DDL statement of vt's tables to sql, its trigger's name
 * quoted. */
static int ddl_text(mb_vtable *vt, const ddl_stmt *ddl, mb_buf *sql,
                    mb_error *err)
{
    mb_buf name = MB_BUF_INIT, quoted = MB_BUF_INIT;
    int rc = MB_OK;

    if (ddl->trigger != NULL &&
        ((rc = mb_buf_printf(&name, err, "%s_%s", vt->log_name,
                             ddl->trigger)) < 0 ||
         (rc = vt->be->quote_ident(vt->conn, &quoted, name.ptr, err)) < 0))
        goto done;
    rc = expand(sql, ddl->sql, vt, quoted.ptr, err);
done:
    mb_buf_free(&name);
    mb_buf_free(&quoted);
    return rc;
}

static int run_ddl(mb_vtable *vt, const ddl_stmt *ddl, mb_error *err)
{
    mb_buf sql = MB_BUF_INIT;
    size_t i;
    int rc = MB_OK;

    for (i = 0; ddl[i].sql != NULL && rc == MB_OK; i++) {
        mb_buf_clear(&sql);
        if ((rc = ddl_text(vt, &ddl[i], &sql, err)) == MB_OK)
            rc = vt->be->query(vt->conn, sql.ptr, 0, NULL, NULL, err);
    }
    mb_buf_free(&sql);
    return rc;
}

#define OUTCOMES "('ok', 'failed', 'started', 'incomplete', 'resolved')"

/* Unfinished transaction:false sections are looked for on every run, a
 * no-op included: a partial index keeps that one lookup however long the
 * log grows (the query's WHERE must stay the index's, word for word). */
#define UNFINISHED "outcome IN ('started', 'incomplete')"
#define UNFINISHED_INDEX \
    "CREATE INDEX IF NOT EXISTS @T ON @L (revision) WHERE " UNFINISHED

static const ddl_stmt sqlite_ddl[] = {
    {"CREATE TABLE IF NOT EXISTS @V (\n"
     "    revision      TEXT NOT NULL PRIMARY KEY,\n"
     "    checksum      TEXT NOT NULL,\n"
     "    applied_at    TEXT NOT NULL,\n"
     "    bundle_digest TEXT NOT NULL\n"
     ")", NULL},
    {"CREATE TABLE IF NOT EXISTS @L (\n"
     "    id            INTEGER PRIMARY KEY AUTOINCREMENT,\n"
     "    revision      TEXT NOT NULL,\n"
     "    direction     TEXT NOT NULL\n"
     "                  CHECK (direction IN ('up', 'down', 'stamp')),\n"
     "    checksum      TEXT NOT NULL,\n"
     "    bundle_digest TEXT NOT NULL,\n"
     "    started_at    TEXT NOT NULL,\n"
     "    finished_at   TEXT,\n"
     "    outcome       TEXT NOT NULL CHECK (outcome IN " OUTCOMES "),\n"
     "    error         TEXT\n"
     ")", NULL},
    {"CREATE TRIGGER IF NOT EXISTS @T BEFORE UPDATE ON @L\n"
     "BEGIN SELECT RAISE(ABORT, 'the migration log is append-only'); END",
     "no_update"},
    {"CREATE TRIGGER IF NOT EXISTS @T BEFORE DELETE ON @L\n"
     "BEGIN SELECT RAISE(ABORT, 'the migration log is append-only'); END",
     "no_delete"},
    {UNFINISHED_INDEX, "unfinished"},
    {NULL, NULL}};

static const ddl_stmt postgres_ddl[] = {
    {"CREATE TABLE IF NOT EXISTS @V (\n"
     "    revision      TEXT NOT NULL PRIMARY KEY,\n"
     "    checksum      TEXT NOT NULL,\n"
     "    applied_at    TIMESTAMPTZ NOT NULL,\n"
     "    bundle_digest TEXT NOT NULL\n"
     ")", NULL},
    {"CREATE TABLE IF NOT EXISTS @L (\n"
     "    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
     "    revision      TEXT NOT NULL,\n"
     "    direction     TEXT NOT NULL\n"
     "                  CHECK (direction IN ('up', 'down', 'stamp')),\n"
     "    checksum      TEXT NOT NULL,\n"
     "    bundle_digest TEXT NOT NULL,\n"
     "    started_at    TIMESTAMPTZ NOT NULL,\n"
     "    finished_at   TIMESTAMPTZ,\n"
     "    outcome       TEXT NOT NULL CHECK (outcome IN " OUTCOMES "),\n"
     "    error         TEXT\n"
     ")", NULL},
    {"CREATE OR REPLACE FUNCTION @F() RETURNS trigger\n"
     "LANGUAGE plpgsql AS $mb$ BEGIN\n"
     "    RAISE EXCEPTION 'the migration log is append-only';\n"
     "END $mb$", NULL},
    {"CREATE OR REPLACE TRIGGER @T\n"
     "BEFORE UPDATE OR DELETE OR TRUNCATE ON @L\n"
     "FOR EACH STATEMENT EXECUTE FUNCTION @F()", "append_only"},
    {UNFINISHED_INDEX, "unfinished"},
    {NULL, NULL}};

static const ddl_stmt *dialect_ddl(const mb_vtable *vt)
{
    return vt->be->dialect == MB_DIALECT_POSTGRESQL ? postgres_ddl
                                                    : sqlite_ddl;
}

int mb_vtable_ddl_sql(mb_vtable *vt, mb_buf *out, mb_error *err)
{
    const ddl_stmt *ddl = dialect_ddl(vt);
    size_t i;
    int rc = MB_OK;

    for (i = 0; ddl[i].sql != NULL && rc == MB_OK; i++)
        if ((rc = ddl_text(vt, &ddl[i], out, err)) == MB_OK)
            rc = mb_buf_puts(out, ";\n", err);
    return rc;
}

/* *out = 1 when both the version and the log table exist. */
static int both_exist(mb_vtable *vt, int *out, mb_error *err)
{
    int v = 0, l = 0, rc;

    if ((rc = vt->be->table_exists(vt->conn, vt->schema, vt->version_name,
                                   &v, err)) < 0 ||
        (rc = vt->be->table_exists(vt->conn, vt->schema, vt->log_name, &l,
                                   err)) < 0)
        return rc;
    *out = v && l;
    return MB_OK;
}

int mb_vtable_probe(mb_vtable *vt, mb_error *err)
{
    return vt->ready ? MB_OK : both_exist(vt, &vt->ready, err);
}

int mb_vtable_ensure(mb_vtable *vt, mb_error *err)
{
    int exist, rc;

    if (vt->ready || vt->ensured)
        return MB_OK;
    /* not cached in vt->ready until a commit: they may exist uncommitted */
    if ((rc = both_exist(vt, &exist, err)) == MB_OK && !exist)
        rc = run_ddl(vt, dialect_ddl(vt), err);
    vt->ensured = rc == MB_OK;
    return rc;
}

int mb_vtable_ready(const mb_vtable *vt)
{
    return vt->ready || vt->ensured;
}

int mb_vtable_commit(mb_vtable *vt, mb_error *err)
{
    int rc = vt->be->commit(vt->conn, err);

    if (rc == MB_OK && vt->ensured)
        vt->ready = 1;
    vt->ensured = 0;
    return rc;
}

void mb_vtable_rollback(mb_vtable *vt)
{
    vt->be->rollback(vt->conn);
    vt->ensured = 0;
}

int mb_vtable_set(mb_vtable *vt, const mb_revision *rev, int direction,
                  const char *bundle_digest, const char *applied_at,
                  mb_error *err)
{
    mb_buf sql = MB_BUF_INIT;
    const char *params[4] = {rev->id, rev->checksum, applied_at,
                             bundle_digest};
    int rc;

    if ((rc = row_faults(1, 0, err)) < 0)
        return rc;
    if (direction == MB_UP)
        rc = mb_buf_printf(&sql, err, "INSERT INTO %s (revision, checksum, "
                           "applied_at, bundle_digest) VALUES ($1, $2, $3, "
                           "$4)", vt->version_q.ptr);
    else
        rc = mb_buf_printf(&sql, err, "DELETE FROM %s WHERE revision = $1",
                           vt->version_q.ptr);
    if (rc == MB_OK)
        rc = vt->be->query(vt->conn, sql.ptr, direction == MB_UP ? 4 : 1,
                           params, NULL, err);
    mb_buf_free(&sql);
    return rc;
}

/* The log's direction column for direction (see the CHECK above). */
static const char *direction_name(int direction)
{
    return direction == MB_UP     ? "up"
           : direction == MB_DOWN ? "down"
                                  : "stamp";
}

mb_log_entry mb_log_entry_of(const mb_revision *rev, int direction,
                             const char *bundle_digest,
                             const char *started_at, const char *finished_at,
                             const char *outcome, const char *error)
{
    return (mb_log_entry){rev->id, direction_name(direction), rev->checksum,
                          bundle_digest, started_at, finished_at, outcome,
                          error};
}

int mb_vtable_log(mb_vtable *vt, const mb_log_entry *e, mb_error *err)
{
    mb_buf sql = MB_BUF_INIT;
    const char *params[8] = {e->revision,   e->direction,  e->checksum,
                             e->bundle_digest, e->started_at,
                             e->finished_at, e->outcome,   e->error};
    int rc;

    if ((rc = row_faults(0, 1, err)) < 0)
        return rc;
    if ((rc = mb_buf_printf(&sql, err, "INSERT INTO %s (revision, direction, "
                            "checksum, bundle_digest, started_at, "
                            "finished_at, outcome, error) VALUES ($1, $2, "
                            "$3, $4, $5, $6, $7, $8)", vt->log_q.ptr)) == 0)
        rc = vt->be->query(vt->conn, sql.ptr, 8, params, NULL, err);
    mb_buf_free(&sql);
    return rc;
}

int mb_vtable_record(mb_vtable *vt, const mb_revision *rev, int direction,
                     const mb_log_entry *e, mb_error *err)
{
    mb_buf sql = MB_BUF_INIT;
    const char *params[8] = {e->revision,   e->direction,  e->checksum,
                             e->bundle_digest, e->started_at,
                             e->finished_at, e->outcome,   e->error};
    int rc;

    if (vt->be->dialect != MB_DIALECT_POSTGRESQL) {
        if ((rc = mb_vtable_set(vt, rev, direction, e->bundle_digest,
                                e->finished_at, err)) < 0)
            return rc;
        return mb_vtable_log(vt, e, err);
    }
    /* $1 revision, $3 checksum, $4 digest, $6 finished = applied_at */
    if ((rc = row_faults(1, 1, err)) < 0)
        return rc;
    if (direction == MB_UP)
        rc = mb_buf_printf(&sql, err, "WITH v AS (INSERT INTO %s (revision, "
                           "checksum, applied_at, bundle_digest) VALUES ($1, "
                           "$3, $6, $4) RETURNING 1) ", vt->version_q.ptr);
    else
        rc = mb_buf_printf(&sql, err, "WITH v AS (DELETE FROM %s WHERE "
                           "revision = $1 RETURNING 1) ", vt->version_q.ptr);
    if (rc == MB_OK)
        rc = mb_buf_printf(&sql, err, "INSERT INTO %s (revision, direction, "
                           "checksum, bundle_digest, started_at, "
                           "finished_at, outcome, error) VALUES ($1, $2, "
                           "$3, $4, $5, $6, $7, $8)", vt->log_q.ptr);
    if (rc == MB_OK)
        rc = vt->be->query(vt->conn, sql.ptr, 8, params, NULL, err);
    mb_buf_free(&sql);
    return rc;
}

int mb_vtable_record_sql(mb_vtable *vt, mb_buf *out, const mb_revision *rev,
                         int direction, const char *bundle_digest,
                         mb_error *err)
{
    mb_buf id = MB_BUF_INIT, sum = MB_BUF_INIT, dig = MB_BUF_INIT;
    int rc;

    if ((rc = row_faults(1, 1, err)) < 0 ||
        (rc = vt->be->quote_literal(vt->conn, &id, rev->id, err)) < 0 ||
        (rc = vt->be->quote_literal(vt->conn, &sum, rev->checksum, err)) <
            0 ||
        (rc = vt->be->quote_literal(vt->conn, &dig, bundle_digest, err)) < 0)
        goto done;
    if (direction == MB_UP)
        rc = mb_buf_printf(out, err, "WITH v AS (INSERT INTO %s (revision, "
                           "checksum, applied_at, bundle_digest) VALUES (%s, "
                           "%s, clock_timestamp(), %s) RETURNING 1) ",
                           vt->version_q.ptr, id.ptr, sum.ptr, dig.ptr);
    else
        rc = mb_buf_printf(out, err, "WITH v AS (DELETE FROM %s WHERE "
                           "revision = %s RETURNING 1) ", vt->version_q.ptr,
                           id.ptr);
    if (rc == MB_OK)
        rc = mb_buf_printf(out, err, "INSERT INTO %s (revision, direction, "
                           "checksum, bundle_digest, started_at, "
                           "finished_at, outcome) VALUES (%s, '%s', %s, %s, "
                           "statement_timestamp(), clock_timestamp(), 'ok')",
                           vt->log_q.ptr, id.ptr,
                           direction_name(direction), sum.ptr,
                           dig.ptr);
done:
    mb_buf_free(&id);
    mb_buf_free(&sum);
    mb_buf_free(&dig);
    return rc;
}

/*
 * The database's clock, for a script that runs later (rows->db_clock):
 * when the transaction began (start) or now, as the column's type wants
 * it (SQLite: the ISO-8601 text mb_now_iso() writes, to the millisecond).
 */
static const char *db_clock(const mb_vtable *vt, int start)
{
    if (vt->be->dialect == MB_DIALECT_POSTGRESQL)
        return start ? "now()" : "clock_timestamp()";
    return "strftime('%Y-%m-%dT%H:%M:%f000Z', 'now')";
}

/* Append ", " (unless first) and the values to out: quoted, except
 * values[i] with bit i of raw set, which are SQL built here. */
static int add_tuple(mb_vtable *vt, mb_buf *out, int paren,
                     const char *const *values, size_t n, unsigned raw,
                     mb_error *err)
{
    size_t i;
    int rc = MB_OK;

    if (out->len > 0)
        rc = mb_buf_puts(out, ", ", err);
    if (rc == MB_OK && paren)
        rc = mb_buf_puts(out, "(", err);
    for (i = 0; i < n && rc == MB_OK; i++) {
        if (i > 0)
            rc = mb_buf_puts(out, ", ", err);
        if (rc == MB_OK && (raw & (1u << i)))
            rc = mb_buf_puts(out, values[i], err);
        else if (rc == MB_OK)
            rc = vt->be->quote_literal(vt->conn, out, values[i], err);
    }
    if (rc == MB_OK && paren)
        rc = mb_buf_puts(out, ")", err);
    return rc;
}

/* The log row's tuple of e; with clock, its times are the database's
 * (a NULL finished_at stays NULL). */
static int log_tuple(mb_vtable *vt, mb_buf *out, const mb_log_entry *e,
                     int clock, mb_error *err)
{
    const char *l[8] = {e->revision, e->direction, e->checksum,
                        e->bundle_digest, e->started_at, e->finished_at,
                        e->outcome, e->error};
    unsigned raw = 0;

    if (clock) {
        l[4] = db_clock(vt, 1);
        raw |= 1u << 4;
        if (e->finished_at != NULL) {
            l[5] = db_clock(vt, 0);
            raw |= 1u << 5;
        }
    }
    return add_tuple(vt, out, 1, l, 8, raw, err);
}

int mb_vtable_rows_add(mb_vtable *vt, mb_vtable_rows *rows,
                       const mb_revision *rev, int direction,
                       const mb_log_entry *e, mb_error *err)
{
    const char *v[4] = {rev->id, rev->checksum,
                        rows->db_clock ? db_clock(vt, 0) : e->finished_at,
                        e->bundle_digest};
    int rc;

    if ((rc = row_faults(1, 1, err)) < 0 ||
        (rc = add_tuple(vt, &rows->version, direction == MB_UP, v,
                        direction == MB_UP ? 4 : 1,
                        rows->db_clock ? 1u << 2 : 0, err)) < 0 ||
        (rc = log_tuple(vt, &rows->log, e, rows->db_clock, err)) < 0)
        return rc;
    rows->n++;
    return MB_OK;
}

/*
 * The statements of rows: PostgreSQL one, into v, the version rows in a
 * data-modifying WITH; SQLite has no such WITH: two, into v and l.
 */
static int rows_text(mb_vtable *vt, const mb_vtable_rows *rows,
                     int direction, mb_buf *v, mb_buf *l, mb_error *err)
{
    int pg = vt->be->dialect == MB_DIALECT_POSTGRESQL, rc;

    if (direction == MB_UP)
        rc = mb_buf_printf(v, err, "%sINSERT INTO %s (revision, checksum, "
                           "applied_at, bundle_digest) VALUES %s%s",
                           pg ? "WITH v AS (" : "", vt->version_q.ptr,
                           rows->version.ptr, pg ? " RETURNING 1) " : "");
    else
        rc = mb_buf_printf(v, err, "%sDELETE FROM %s WHERE revision IN "
                           "(%s)%s", pg ? "WITH v AS (" : "",
                           vt->version_q.ptr, rows->version.ptr,
                           pg ? " RETURNING 1) " : "");
    if (rc == MB_OK)
        rc = mb_buf_printf(pg ? v : l, err, "INSERT INTO %s (revision, "
                           "direction, checksum, bundle_digest, started_at, "
                           "finished_at, outcome, error) VALUES %s",
                           vt->log_q.ptr, rows->log.ptr);
    return rc;
}

int mb_vtable_rows_write(mb_vtable *vt, const mb_vtable_rows *rows,
                         int direction, mb_error *err)
{
    mb_buf v = MB_BUF_INIT, l = MB_BUF_INIT;
    int rc;

    if (rows->n == 0)
        return MB_OK;
    rc = rows_text(vt, rows, direction, &v, &l, err);
    if (rc == MB_OK)
        rc = vt->be->query(vt->conn, v.ptr, 0, NULL, NULL, err);
    if (rc == MB_OK && l.len > 0)
        rc = vt->be->query(vt->conn, l.ptr, 0, NULL, NULL, err);
    mb_buf_free(&v);
    mb_buf_free(&l);
    return rc;
}

int mb_vtable_rows_sql(mb_vtable *vt, mb_buf *out,
                       const mb_vtable_rows *rows, int direction,
                       mb_error *err)
{
    mb_buf v = MB_BUF_INIT, l = MB_BUF_INIT;
    int rc;

    if (rows->n == 0)
        return MB_OK;
    if ((rc = rows_text(vt, rows, direction, &v, &l, err)) == MB_OK)
        rc = mb_buf_printf(out, err, "%s;\n%s%s", v.ptr,
                           l.len > 0 ? l.ptr : "", l.len > 0 ? ";\n" : "");
    mb_buf_free(&v);
    mb_buf_free(&l);
    return rc;
}

int mb_vtable_log_sql(mb_vtable *vt, mb_buf *out, const mb_log_entry *e,
                      mb_error *err)
{
    mb_buf tuple = MB_BUF_INIT;
    int rc;

    if ((rc = log_tuple(vt, &tuple, e, 1, err)) == MB_OK)
        rc = mb_buf_printf(out, err, "INSERT INTO %s (revision, direction, "
                           "checksum, bundle_digest, started_at, "
                           "finished_at, outcome, error) VALUES %s;\n",
                           vt->log_q.ptr, tuple.ptr);
    mb_buf_free(&tuple);
    return rc;
}

int mb_vtable_state_sql(mb_vtable *vt, mb_buf *out,
                        const mb_revision *const *revs, size_t n,
                        mb_error *err)
{
    mb_buf pairs = MB_BUF_INIT;
    size_t i;
    int rc;

    /* the table holds n rows, and n of them are these (revision is its
     * primary key): exactly these rows */
    rc = mb_buf_printf(out, err, "(SELECT count(*) FROM %s) = %zu",
                       vt->version_q.ptr, n);
    for (i = 0; i < n && rc == MB_OK; i++) {
        const char *v[2] = {revs[i]->id, revs[i]->checksum};

        rc = add_tuple(vt, &pairs, 1, v, 2, 0, err);
    }
    if (rc == MB_OK && n > 0)
        rc = mb_buf_printf(out, err, " AND (SELECT count(*) FROM %s WHERE "
                           "(revision, checksum) IN (VALUES %s)) = %zu",
                           vt->version_q.ptr, pairs.ptr, n);
    /* and no transaction:false section waits for `resolve` */
    if (rc == MB_OK)
        rc = mb_buf_printf(out, err, " AND NOT EXISTS (SELECT 1 FROM %s "
                           "WHERE " UNFINISHED " AND id IN (SELECT max(id) "
                           "FROM %s GROUP BY revision))", vt->log_q.ptr,
                           vt->log_q.ptr);
    mb_buf_free(&pairs);
    return rc;
}

void mb_vtable_rows_free(mb_vtable_rows *rows)
{
    mb_buf_free(&rows->version);
    mb_buf_free(&rows->log);
    rows->n = 0;
}

void mb_unfinished_free(mb_unfinished *u)
{
    free(u->rows);
    u->rows = NULL;
    u->n = 0;
    mb_arena_free(&u->text);
}

int mb_vtable_unresolved(mb_vtable *vt, mb_unfinished *out, mb_error *err)
{
    mb_buf sql = MB_BUF_INIT;
    mb_rows rows = MB_ROWS_INIT;
    char at[128];
    size_t i;
    int exists, rc;

    memset(out, 0, sizeof *out);
    if ((rc = vt->be->table_exists(vt->conn, vt->schema, vt->log_name,
                                   &exists, err)) < 0 || !exists)
        return rc;
    /* Cheap first: without any started or incomplete row there is nothing
     * to resolve, and the grouping below (every run, a no-op included)
     * costs more than this lookup in the partial index (a scan in a log
     * that a release older than the index made). */
    if ((rc = mb_buf_printf(&sql, err, "SELECT 1 FROM %s WHERE "
                            UNFINISHED " LIMIT 1", vt->log_q.ptr)) < 0 ||
        (rc = vt->be->query(vt->conn, sql.ptr, 0, NULL, &rows, err)) < 0 ||
        rows.nrows == 0)
        goto done;
    mb_rows_free(&rows);
    mb_buf_clear(&sql);
    if ((rc = mb_buf_printf(&sql, err, "SELECT revision, direction, "
                            "outcome, %s, error FROM %s WHERE id IN "
                            "(SELECT max(id) FROM %s GROUP BY revision) "
                            "AND " UNFINISHED " ORDER BY id",
                            iso(vt, "started_at", at, sizeof at),
                            vt->log_q.ptr, vt->log_q.ptr)) < 0 ||
        (rc = vt->be->query(vt->conn, sql.ptr, 0, NULL, &rows, err)) < 0)
        goto done;
    if ((out->rows = take_rows(&rows, sizeof *out->rows, &out->text,
                               err)) == NULL) {
        rc = MB_ENOMEM;
        goto done;
    }
    for (i = 0; i < rows.nrows; i++) {
        mb_unfinished_row *r = &out->rows[i];
        char **cell = rows.cells + i * rows.ncols;

        r->revision = cell_text(cell[0]);
        r->direction = strcmp(cell_text(cell[1]), "down") == 0 ? MB_DOWN
                                                                : MB_UP;
        r->started = strcmp(cell_text(cell[2]), MB_OUTCOME_STARTED) == 0;
        r->started_at = cell_text(cell[3]);
        r->error = cell[4];
    }
    out->n = rows.nrows;
done:
    mb_rows_free(&rows);
    mb_buf_free(&sql);
    return rc;
}

void mb_log_rows_free(mb_log_rows *l)
{
    free(l->rows);
    l->rows = NULL;
    l->n = 0;
    mb_arena_free(&l->text);
}

int mb_vtable_read_log(mb_vtable *vt, const char *since, mb_log_rows *out,
                       mb_error *err)
{
    mb_buf sql = MB_BUF_INIT;
    mb_rows rows = MB_ROWS_INIT;
    const char *params[1] = {since};
    char started[128], finished[128];
    size_t i;
    int exists, rc;

    memset(out, 0, sizeof *out);
    if ((rc = vt->be->table_exists(vt->conn, vt->schema, vt->log_name,
                                   &exists, err)) < 0 || !exists)
        return rc;
    /* SQLite's times are fixed-width UTC text, so text order is time
     * order; PostgreSQL compares timestamps */
    if ((rc = mb_buf_printf(&sql, err, "SELECT id, revision, direction, "
                            "checksum, bundle_digest, %s, %s, outcome, "
                            "error FROM %s%s ORDER BY id",
                            iso(vt, "started_at", started, sizeof started),
                            iso(vt, "finished_at", finished, sizeof finished),
                            vt->log_q.ptr, since == NULL ? ""
                            : vt->be->dialect == MB_DIALECT_POSTGRESQL
                                ? " WHERE started_at >= $1::timestamptz"
                                : " WHERE started_at >= $1")) < 0 ||
        (rc = vt->be->query(vt->conn, sql.ptr, since != NULL, params, &rows,
                            err)) < 0)
        goto done;
    if ((out->rows = take_rows(&rows, sizeof *out->rows, &out->text,
                               err)) == NULL) {
        rc = MB_ENOMEM;
        goto done;
    }
    for (i = 0; i < rows.nrows; i++) {
        mb_log_row *r = &out->rows[i];
        char **cell = rows.cells + i * rows.ncols;

        r->id = cell_text(cell[0]);
        r->e = (mb_log_entry){cell_text(cell[1]), cell_text(cell[2]),
                              cell_text(cell[3]), cell_text(cell[4]),
                              cell_text(cell[5]), cell[6], cell_text(cell[7]),
                              cell[8]};
    }
    out->n = rows.nrows;
done:
    if (rc < 0)
        mb_log_rows_free(out);
    mb_rows_free(&rows);
    mb_buf_free(&sql);
    return rc;
}

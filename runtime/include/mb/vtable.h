/*
 * mb/vtable.h -- the version table and the append-only log table.
 *
 * Version table (default migbundle_version): one row per applied revision
 * with revision, checksum, applied_at (UTC ISO-8601) and bundle_digest.
 * Log table (default migbundle_log): one row per up, down or stamp attempt;
 * the runtime only ever inserts into it. Table names are quoted by the
 * backend; values always travel as parameters.
 */
#ifndef MB_VTABLE_H
#define MB_VTABLE_H

#include "mb/backend.h"
#include "mb/verify.h"

#define MB_VERSION_TABLE "migbundle_version"
#define MB_LOG_TABLE "migbundle_log"

typedef struct mb_vtable {
    const mb_backend *be;
    mb_conn *conn;
    const char *schema;       /* NULL: the connection's default */
    const char *version_name; /* unquoted, borrowed */
    const char *log_name;
    mb_buf version_q;         /* quoted, schema-qualified identifiers */
    mb_buf log_q;
    mb_buf guard_q;           /* PostgreSQL: the append-only function */
    mb_buf lock_key;          /* "migbundle:" + version_q */
    int ready;                /* both tables exist and are committed: set
                               * by the caller after a commit */
} mb_vtable;

/** Bind names to a connection; schema and names are borrowed. */
int mb_vtable_init(mb_vtable *vt, const mb_backend *be, mb_conn *c,
                   const char *schema, const char *version_name,
                   const char *log_name, mb_error *err);
void mb_vtable_free(mb_vtable *vt);

/** Read every version row; an absent table reads as no rows. */
int mb_vtable_read(mb_vtable *vt, mb_versions *out, mb_error *err);

/**
 * Set vt->ready when both tables exist. Call only where their existence
 * is settled (under the migration lock, outside a transaction).
 */
int mb_vtable_probe(mb_vtable *vt, mb_error *err);

/** Create both tables (and the log's append-only guards) if missing. */
int mb_vtable_ensure(mb_vtable *vt, mb_error *err);

/** Insert (MB_UP) or delete (MB_DOWN) the version row of rev. */
int mb_vtable_set(mb_vtable *vt, const mb_revision *rev, int direction,
                  const char *bundle_digest, const char *applied_at,
                  mb_error *err);

typedef struct mb_log_entry {
    const char *revision;
    const char *direction;     /* "up", "down", "stamp" */
    const char *checksum;
    const char *bundle_digest;
    const char *started_at;
    const char *finished_at;
    const char *outcome;       /* see MB_OUTCOME_* */
    const char *error;         /* NULL unless failed */
} mb_log_entry;

/*
 * Log outcomes. `failed` means rolled back whole: nothing changed.
 * `started` is written before a transaction:false section runs and
 * `incomplete` when one of its statements failed: either, as the latest
 * row of a revision, leaves the database in a state only an operator can
 * judge, and blocks migrations until `resolve` appends `resolved`.
 */
#define MB_OUTCOME_OK "ok"
#define MB_OUTCOME_FAILED "failed"
#define MB_OUTCOME_STARTED "started"
#define MB_OUTCOME_INCOMPLETE "incomplete"
#define MB_OUTCOME_RESOLVED "resolved"

/** Append one log row. */
int mb_vtable_log(mb_vtable *vt, const mb_log_entry *e, mb_error *err);

/**
 * mb_vtable_set() and mb_vtable_log() together (the row's revision and
 * direction are the entry's). On PostgreSQL one statement, one round trip.
 */
int mb_vtable_record(mb_vtable *vt, const mb_revision *rev, int direction,
                     const mb_log_entry *e, mb_error *err);

/**
 * The SQL of mb_vtable_record() for an `ok` step, as text to send with
 * the section (PostgreSQL only: values quoted by libpq; applied_at and
 * finished_at are the server's clock_timestamp(), started_at its
 * statement_timestamp(), i.e. when the round trip began).
 */
int mb_vtable_record_sql(mb_vtable *vt, mb_buf *out, const mb_revision *rev,
                         int direction, const char *bundle_digest,
                         mb_error *err);

/**
 * Rows recorded together at the end of a transaction that holds several
 * steps (--single-transaction, a group): mb_vtable_rows_add() appends a
 * step's values, quoted by the backend; mb_vtable_rows_write() inserts
 * (MB_UP) or deletes (MB_DOWN) all their version rows and inserts all
 * their log rows, in one statement on PostgreSQL, two on SQLite.
 */
typedef struct mb_vtable_rows {
    mb_buf version; /* "(...), (...)" or, down, "'id', 'id'" */
    mb_buf log;     /* "(...), (...)" */
    size_t n;
} mb_vtable_rows;

#define MB_VTABLE_ROWS_INIT {MB_BUF_INIT, MB_BUF_INIT, 0}

int mb_vtable_rows_add(mb_vtable *vt, mb_vtable_rows *rows,
                       const mb_revision *rev, int direction,
                       const mb_log_entry *e, mb_error *err);
int mb_vtable_rows_write(mb_vtable *vt, const mb_vtable_rows *rows,
                         int direction, mb_error *err);
void mb_vtable_rows_free(mb_vtable_rows *rows);

/**
 * Revisions whose latest log row is `started` or `incomplete`: rows of
 * revision, direction, outcome, started_at, error (none when the log
 * table does not exist).
 */
int mb_vtable_unresolved(mb_vtable *vt, mb_rows *out, mb_error *err);

#endif

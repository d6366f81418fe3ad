/*
 * mb/vtable.h -- the version table and the append-only log table.
 *
 * Version table (default migbundle_version): one row per applied revision
 * with revision, checksum, applied_at (UTC ISO-8601) and bundle_digest.
 * Log table (default migbundle_log): one row per up, down or stamp attempt;
 * the runtime only ever inserts into it. Table names are quoted by the
 * backend; values travel as parameters, except in the statements built
 * as text (a batch, the rows of many steps, the scripts of --sql), where
 * the backend's quote_literal() quotes them.
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
    int ready;                /* both tables exist and are committed */
    int ensured;              /* mb_vtable_ensure() made sure of them in
                               * the open transaction */
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

/**
 * Create both tables (and the log's append-only guards) if missing, in
 * the open transaction. After mb_vtable_commit() they count as ready.
 */
int mb_vtable_ensure(mb_vtable *vt, mb_error *err);

/** 1 when both tables exist: committed, or ensured in the transaction. */
int mb_vtable_ready(const mb_vtable *vt);

/**
 * COMMIT / ROLLBACK the connection's transaction. Every transaction that
 * may have called mb_vtable_ensure() ends through these, so the tables'
 * state is kept here and nowhere else.
 */
int mb_vtable_commit(mb_vtable *vt, mb_error *err);
void mb_vtable_rollback(mb_vtable *vt);

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

/**
 * The log row of rev: its id and checksum, direction (MB_UP, MB_DOWN or
 * MB_STAMP), the bundle digest of the release that wrote it, the times,
 * outcome and error (NULL for none). Strings are borrowed.
 */
mb_log_entry mb_log_entry_of(const mb_revision *rev, int direction,
                             const char *bundle_digest,
                             const char *started_at, const char *finished_at,
                             const char *outcome, const char *error);

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
    int db_clock;   /* set before adding: the rows' times are the
                     * database's clock when the statement runs (scripts
                     * printed by --sql), not the entries' */
} mb_vtable_rows;

#define MB_VTABLE_ROWS_INIT {MB_BUF_INIT, MB_BUF_INIT, 0, 0}

int mb_vtable_rows_add(mb_vtable *vt, mb_vtable_rows *rows,
                       const mb_revision *rev, int direction,
                       const mb_log_entry *e, mb_error *err);
int mb_vtable_rows_write(mb_vtable *vt, const mb_vtable_rows *rows,
                         int direction, mb_error *err);
void mb_vtable_rows_free(mb_vtable_rows *rows);

/*
 * The text of statements for a script that runs later (--sql, see
 * mb/offline.h): each function appends its statements to out, each
 * ending ";\n". Values are quoted by vt's backend; times are the
 * database's clock when the script runs (see mb_vtable_rows.db_clock).
 */

/** What mb_vtable_ensure() runs when the tables are missing (each
 * statement creates only what does not exist). */
int mb_vtable_ddl_sql(mb_vtable *vt, mb_buf *out, mb_error *err);
/** What mb_vtable_rows_write() runs. */
int mb_vtable_rows_sql(mb_vtable *vt, mb_buf *out,
                       const mb_vtable_rows *rows, int direction,
                       mb_error *err);
/** What mb_vtable_log() runs: started_at is when the transaction began,
 * finished_at now (NULL stays NULL). */
int mb_vtable_log_sql(mb_vtable *vt, mb_buf *out, const mb_log_entry *e,
                      mb_error *err);
/**
 * A boolean SQL expression (no ";"), true when the version table holds
 * exactly the rows of revs[0..n), with their checksums, and no
 * transaction:false section is unfinished (see mb_vtable_unresolved).
 * Both tables must exist when it is evaluated.
 */
int mb_vtable_state_sql(mb_vtable *vt, mb_buf *out,
                        const mb_revision *const *revs, size_t n,
                        mb_error *err);

/* One row of the log table as `log` reads it; times UTC ISO-8601. */
typedef struct mb_log_row {
    const char *id;            /* the row's number, in insertion order */
    mb_log_entry e;            /* finished_at and error NULL when NULL */
} mb_log_row;

typedef struct mb_log_rows {
    mb_log_row *rows; /* in log order (by id) */
    size_t n;
    mb_arena text;    /* the rows' strings */
} mb_log_rows;

#define MB_LOG_ROWS_INIT {NULL, 0, MB_ARENA_INIT}

/**
 * The log's rows in the order they were written, only those started at or
 * after since when since is not NULL (UTC, as "YYYY-MM-DDTHH:MM:SS.ffffffZ",
 * passed as a parameter). A missing log table reads as no rows.
 */
int mb_vtable_read_log(mb_vtable *vt, const char *since, mb_log_rows *out,
                       mb_error *err);
void mb_log_rows_free(mb_log_rows *l);

/* A revision whose latest log row is `started` or `incomplete`. */
typedef struct mb_unfinished_row {
    const char *revision;
    int direction;          /* MB_UP or MB_DOWN */
    int started;            /* 1: `started` (interrupted), 0: `incomplete` */
    const char *started_at; /* UTC ISO-8601 */
    const char *error;      /* NULL unless the section failed part-way */
} mb_unfinished_row;

typedef struct mb_unfinished {
    mb_unfinished_row *rows; /* in log order */
    size_t n;
    mb_arena text;           /* the rows' strings */
} mb_unfinished;

#define MB_UNFINISHED_INIT {NULL, 0, MB_ARENA_INIT}

/**
 * The revisions whose transaction:false section did not finish (none when
 * the log table does not exist).
 */
int mb_vtable_unresolved(mb_vtable *vt, mb_unfinished *out, mb_error *err);
void mb_unfinished_free(mb_unfinished *u);

#endif

/*
 * mb/offline.h -- the SQL of a run as a script: `up`, `down` and `stamp`
 * with --sql (Alembic's offline mode).
 *
 * Nothing is opened: the start state is given (START, a revision or
 * base), and the script holds what a run would send to a database at
 * that state: the version and log tables (created if missing), each
 * step's section with BEGIN and COMMIT around it (none around a
 * transaction:false section), and the version and log rows. It guards
 * itself: its first transaction fails, before anything changes, unless
 * the version table is at START. Run it with psql -X -v ON_ERROR_STOP=1
 * or sqlite3 -bail, which stop at the first error.
 */
#ifndef MB_OFFLINE_H
#define MB_OFFLINE_H

#include "mb/buf.h"
#include "mb/bundle.h"
#include "mb/graph.h"

typedef struct mb_offline {
    const mb_bundle *bundle;
    const mb_graph *graph;
    int dialect;              /* MB_DIALECT_POSTGRESQL or MB_DIALECT_SQLITE */
    const char *schema;       /* PostgreSQL: of both tables; NULL: the
                               * session's current schema */
    const char *version_name; /* the tables, unquoted */
    const char *log_name;
    double lock_timeout;      /* seconds the script waits for the lock
                               * (PostgreSQL's advisory lock of online runs,
                               * SQLite's busy timeout) */
    const char *prog;         /* the program's name, in the header */
    int single;               /* up, down: --single-transaction, one
                               * transaction for the whole script */
} mb_offline;

/**
 * The script of `up` or `down` (direction MB_UP, MB_DOWN) to target,
 * from start (NULL or "base": nothing applied; else a spec naming one
 * revision: it and everything it needs are applied, as after `stamp
 * START`), appended to out; *steps gets the number of revisions it runs.
 * The plan is mb_plan_make()'s on that state, so order and rows are an
 * online run's. Every payload is verified before its SQL is printed.
 * MB_ETARGET when start or target cannot be resolved, or start names
 * several revisions; MB_EUSAGE when o->single and a step's section is
 * transaction:false; MB_EINTEGRITY for a corrupt payload.
 */
int mb_offline_migrate(mb_buf *out, const mb_offline *o, int direction,
                       const char *start, const char *target, size_t *steps,
                       mb_error *err);

/**
 * The script of `stamp targets[0..n)` from start (as above); *changes
 * gets the number of version rows it inserts or deletes.
 */
int mb_offline_stamp(mb_buf *out, const mb_offline *o, const char *start,
                     const char *const *targets, size_t n, size_t *changes,
                     mb_error *err);

#endif

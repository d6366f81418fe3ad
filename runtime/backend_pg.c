/*
 * backend_pg.c -- the PostgreSQL backend (postgres:// and postgresql://).
 *
 * URLs go to libpq unchanged, so every libpq parameter, the PG*
 * environment variables and service files work as they do for psql.
 *
 * Locking: the session that migrates takes a session-level advisory lock
 * (two int4 keys: MB_LOCK_CLASS and a number derived from the version
 * table's qualified name) and holds it until the run ends. Lock and work
 * live and die together: a killed client's backend finishes or rolls back
 * its transaction before it exits and frees the lock, and a session ended
 * by pg_terminate_backend() ends the run. The wait is the server's own
 * lock_timeout, in slices of at most ten seconds so that the run can say
 * who holds the lock (pg_locks, pg_stat_activity) at once and then every
 * ten seconds. A pooler that hands server sessions from client to client
 * (PgBouncer in transaction or statement mode) cannot carry such a lock:
 * it is detected before the lock is taken, and the run refuses.
 *
 * Sections: a transactional section is sent whole in one simple-protocol
 * query. libpq returns one result per statement that succeeded, so the
 * count of results before the error, or the error's statement position,
 * names the failing statement (split with sqlsplit.c). A transaction:false
 * section runs statement by statement.
 *
 * A session the server closes (a restart, a crash, pg_terminate_backend)
 * is MB_ECONN, never blamed on the revision's SQL.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mb/alloc.h"
#include "mb/backend.h"
#include "mb/checksum.h"
#include "mb/fault.h"
#include "mb/sqlsplit.h"

#define REPORT_EVERY 10.0   /* seconds between "waiting for the lock" lines */

struct mb_conn {
    PGconn *pg;         /* the session that migrates and holds the lock */
    PGcancel *cancel;   /* for interrupt(), made at connect */
    const char *url;    /* borrowed from the caller */
    mb_connect_opts o;
    int locked;         /* pg holds the migration lock */
    char key1[16];      /* the advisory lock's keys, as text */
    char key2[16];
};

static void notice(void *arg, const PGresult *res)
{
    const mb_conn *c = arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    char lower[16];
    size_t i;

    if (msg == NULL)
        return;
    for (i = 0; sev != NULL && sev[i] != '\0' && i + 1 < sizeof lower; i++)
        lower[i] = (char)(sev[i] >= 'A' && sev[i] <= 'Z' ? sev[i] + 32
                                                         : sev[i]);
    lower[i] = '\0';
    mb_log(&c->o.log, MB_LOG_NOTICE, "%s: %s", i > 0 ? lower : "notice",
           msg);
}

/*
 * libpq's message on one line: the "ERROR:  " prefix of a server message
 * and the trailing newline dropped, continuation lines ("\n\tThis
 * probably means ...") joined with a space.
 */
static void one_line(char *dst, size_t size, const char *msg)
{
    size_t n = 0;

    if (size == 0)
        return;
    if (msg == NULL)
        msg = "";
    if (strncmp(msg, "ERROR:  ", 8) == 0 || strncmp(msg, "FATAL:  ", 8) == 0)
        msg += 8;
    for (; *msg != '\0' && n + 1 < size; msg++) {
        if (*msg == '\n' || *msg == '\t') {
            if (n > 0 && dst[n - 1] != ' ')
                dst[n++] = ' ';
            continue;
        }
        dst[n++] = *msg;
    }
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

/*
 * 1 when the session is gone or going: libpq saw it close, or the server
 * said it ends it (class 57P: operator intervention, e.g.
 * pg_terminate_backend or a shutdown; class 08: connection exception).
 */
static int session_lost(PGconn *pg, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
                            : NULL;

    if (PQstatus(pg) == CONNECTION_BAD)
        return 1;
    return state != NULL &&
           (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0);
}

/* The error for a lost session: what was going on, the server's or
 * libpq's last word, and what the next run will find. */
static int lost_error(mb_conn *c, const PGresult *res, const char *file,
                      int line, const char *doing, mb_error *err)
{
    char msg[512];

    one_line(msg, sizeof msg,
             res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                 ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                 : PQerrorMessage(c->pg));
    mb_error_at(err, MB_ECONN, file, line, "lost the connection to the "
                "database%s", doing);
    mb_error_detail(err, "%s", msg);
    mb_error_hint(err, "the server ended the session (a restart, a crash, "
                  "or pg_terminate_backend); the transaction that was "
                  "running committed only if its COMMIT had reached the "
                  "server. Run again: the next run reads the version "
                  "table and goes on from what it records");
    return MB_ECONN;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Whether waiting could cure a failed connection: the server answered
 * "not now" (starting up, shutting down, in recovery: PQPING_REJECT), or
 * did not answer for a reason other than one that waiting does not change
 * (TLS, certificates, host names that do not resolve). libpq's messages
 * are matched in English; translated ones count as curable, as before.
 */
static int curable(PGPing ping, const char *msg)
{
    static const char *const never[] = {
        "SSL", "certificate", "could not translate host name",
        "GSSAPI", "does not support", "invalid", "unrecognized"};
    size_t i;

    if (ping == PQPING_REJECT)
        return 1;
    if (ping != PQPING_NO_RESPONSE)
        return 0;
    for (i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(msg, never[i]) != NULL)
            return 0;
    return 1;
}

/*
 * Open a session; with wait > 0 keep retrying, with a backoff from 100 ms
 * to 2 s, while waiting could cure the failure (curable()), and stop at
 * once on any other error. Without a connect_timeout in the URL or
 * PGCONNECT_TIMEOUT, each attempt gives up after MB_CONNECT_TIMEOUT
 * seconds, so that a server that accepts and never answers cannot hold a
 * run for ever.
 */
#define MB_CONNECT_TIMEOUT "10"

static PGconn *open_session(const mb_conn *c, double wait, mb_error *err)
{
    /* keywords before dbname are overridden by the URL's own */
    const char *keys[] = {"connect_timeout", "dbname",
                          "fallback_application_name", NULL};
    const char *vals[] = {getenv("PGCONNECT_TIMEOUT") ? NULL
                                                      : MB_CONNECT_TIMEOUT,
                          c->url, c->o.prog ? c->o.prog : "migbundle", NULL};
    double deadline = now_s() + wait;
    long pause = 100;
    int said = 0;
    char msg[512];

    for (;;) { /* bounded by the deadline */
        PGconn *pg = PQconnectdbParams(keys, vals, 1);
        PGPing ping;

        if (pg != NULL && PQstatus(pg) == CONNECTION_OK)
            return pg;
        one_line(msg, sizeof msg, pg ? PQerrorMessage(pg) : "out of memory");
        PQfinish(pg);
        /* what the server said, for curable(); a timeout is an answer
         * already (pinging would wait as long again) */
        ping = pg == NULL ? PQPING_NO_ATTEMPT
               : strstr(msg, "timeout expired") ? PQPING_NO_RESPONSE
                                                : PQpingParams(keys, vals, 1);
        if (wait <= 0 || now_s() >= deadline || !curable(ping, msg)) {
            mb_error_set(err, MB_EDB, "could not connect to the database");
            mb_error_detail(err, "%s", msg);
            if (wait > 0 && curable(ping, msg))
                mb_error_hint(err, "the server did not accept connections "
                              "within --wait %.0f s", wait);
            else if (curable(ping, msg))
                mb_error_hint(err, "if the server is still starting, "
                              "--wait SECONDS retries until it accepts "
                              "connections");
            return NULL;
        }
        if (!said) {
            mb_log(&c->o.log, MB_LOG_PROGRESS, "waiting for the database "
                   "to accept connections (up to %.0f s)", wait);
            said = 1;
        }
        { /* sleep, but try once more at the deadline */
            double left = (deadline - now_s()) * 1000;
            sleep_ms(left < (double)pause ? (long)left + 1 : pause);
        }
        if (pause < 2000)
            pause = pause * 2 > 2000 ? 2000 : pause * 2;
    }
}

static void pg_close(mb_conn *c)
{
    if (c == NULL)
        return;
    PQfreeCancel(c->cancel);
    PQfinish(c->pg); /* ends the session, and with it any lock it holds */
    free(c);
}

/*
 * Run a statement expected to succeed; MB_EDB with libpq's text if not,
 * MB_ECONN when the session is gone.
 */
static int simple(mb_conn *c, const char *sql, const char *what,
                  mb_error *err)
{
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = MB_OK;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[512], doing[256];

        if (session_lost(c->pg, res)) {
            snprintf(doing, sizeof doing, ": %s", what);
            rc = lost_error(c, res, NULL, 0, doing, err);
        } else {
            one_line(msg, sizeof msg, PQerrorMessage(c->pg));
            rc = mb_error_set(err, MB_EDB, "%s: %s", what, msg);
        }
    }
    PQclear(res);
    return rc;
}

static int pg_connect(mb_conn **out, const char *url,
                      const mb_connect_opts *o, mb_error *err)
{
    mb_conn *c;
    int rc;

    *out = NULL;
    if ((rc = MB_FAULT("connect", err)) < 0)
        return rc;
    if ((c = mb_calloc(1, sizeof *c)) == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    c->url = url;
    c->o = *o;
    c->pg = open_session(c, o->wait, err);
    if (c->pg == NULL) {
        pg_close(c);
        return MB_EDB;
    }
    PQsetNoticeReceiver(c->pg, notice, c);
    if ((c->cancel = PQgetCancel(c->pg)) == NULL) {
        pg_close(c);
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    }
    /* the splitter reads plain strings the way this setting says */
    if (simple(c, "SET standard_conforming_strings = on",
               "could not set standard_conforming_strings", err) < 0) {
        pg_close(c);
        return MB_EDB;
    }
    if (o->readonly &&
        simple(c, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
               "could not make the session read-only", err) < 0) {
        pg_close(c);
        return MB_EDB;
    }
    *out = c;
    return MB_OK;
}

/* Copy a result set into out (NULL for SQL NULL). */
static int copy_rows(PGresult *res, mb_rows *out, mb_error *err)
{
    int nr = PQntuples(res), nc = PQnfields(res), i, j;

    out->cells = mb_calloc(nr > 0 && nc > 0 ? (size_t)nr * (size_t)nc : 1,
                        sizeof *out->cells);
    if (out->cells == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    out->nrows = (size_t)nr;
    out->ncols = (size_t)nc;
    for (i = 0; i < nr; i++) {
        for (j = 0; j < nc; j++) {
            char **cell = &out->cells[(size_t)i * (size_t)nc + (size_t)j];
            if (PQgetisnull(res, i, j))
                continue;
            *cell = mb_arena_strndup(&out->text, PQgetvalue(res, i, j),
                                     (size_t)PQgetlength(res, i, j));
            if (*cell == NULL) {
                mb_rows_free(out);
                return mb_error_set(err, MB_ENOMEM, "out of memory");
            }
        }
    }
    return MB_OK;
}

static int run_query(mb_conn *c, const char *sql, int nparams,
                     const char *const *params, mb_rows *out, mb_error *err)
{
    PGresult *res;
    ExecStatusType st;
    int rc = MB_OK;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK && out != NULL) {
        rc = copy_rows(res, out, err);
    } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        char msg[512];

        if (session_lost(c->pg, res)) {
            rc = lost_error(c, res, NULL, 0, "", err);
            PQclear(res);
            return rc;
        }
        one_line(msg, sizeof msg,
                 PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                     ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
                     : PQerrorMessage(c->pg));
        rc = mb_error_set(err, MB_EDB, "%s", msg);
        if (state != NULL)
            mb_error_detail(err, "SQLSTATE %s", state);
    }
    PQclear(res);
    return rc;
}

static int pg_query(mb_conn *c, const char *sql, int nparams,
                    const char *const *params, mb_rows *out, mb_error *err)
{
    int rc = MB_FAULT("query", err);

    return rc < 0 ? rc : run_query(c, sql, nparams, params, out, err);
}

/* The first cell of a one-row result as an integer (0 if none). */
static long first_long(const mb_rows *rows, size_t col)
{
    return rows->nrows > 0 && col < rows->ncols &&
                   rows->cells[col] != NULL
               ? atol(rows->cells[col])
               : 0;
}

/* "held by pid 123 (application_name "x", client local, connected since
 * T, state S)" lines for the sessions that hold our advisory lock. */
static void lock_holders(mb_conn *c, char *buf, size_t size)
{
    const char *params[2] = {c->key1, c->key2};
    mb_rows rows = MB_ROWS_INIT;
    mb_error e = MB_ERROR_INIT;
    size_t i, used = 0;

    buf[0] = '\0';
    if (run_query(c,
                  "SELECT a.pid, coalesce(a.application_name, ''), "
                  "coalesce(host(a.client_addr), 'local'), "
                  "to_char(a.backend_start AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(a.state, '') "
                  "FROM pg_catalog.pg_locks l "
                  "JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
                  "WHERE l.locktype = 'advisory' AND l.granted "
                  "AND l.classid = $1::oid AND l.objid = $2::oid "
                  "AND l.objsubid = 2", 2, params, &rows, &e) < 0) {
        snprintf(buf, size, "(could not read pg_locks: %s)", e.msg);
        return;
    }
    for (i = 0; i < rows.nrows && used + 1 < size; i++) {
        char **r = rows.cells + i * rows.ncols;
        snprintf(buf + used, size - used,
                 "%sheld by pid %s (application_name \"%s\", client %s, "
                 "connected since %s, %s)", i ? "\n" : "", r[0], r[1], r[2],
                 r[3], r[4]);
        used = strlen(buf);
    }
    if (rows.nrows == 0)
        snprintf(buf, size, "the holder has just released it");
    mb_rows_free(&rows);
}

/*
 * Refuse a connection whose server session is shared with other clients
 * (PgBouncer in transaction or statement pooling mode): a session-level
 * lock taken through it would stay behind on a pooled server session
 * while this run's statements went to others. Two signs, both checked
 * before the lock is taken: this session already holds the migration
 * lock although this run has not taken it (a pooled session that kept it
 * from another client), or a second connection is served by the same
 * server process (a pool hands its idle session to the next client). The
 * second check needs one more connection; when the server refuses it
 * (max_connections), the first check stands alone.
 */
static int check_pooler(mb_conn *c, mb_error *err)
{
    const char *params[2] = {c->key1, c->key2};
    mb_rows rows = MB_ROWS_INIT;
    mb_error ignored = MB_ERROR_INIT;
    PGconn *probe;
    long pid, held, other = 0;
    int rc;

    if ((rc = run_query(c, "SELECT pg_backend_pid(), (SELECT count(*) "
                        "FROM pg_catalog.pg_locks WHERE locktype = "
                        "'advisory' AND granted AND pid = pg_backend_pid() "
                        "AND classid = $1::oid AND objid = $2::oid AND "
                        "objsubid = 2)", 2, params, &rows, err)) < 0)
        return rc;
    pid = first_long(&rows, 0);
    held = first_long(&rows, 1);
    mb_rows_free(&rows);
    /* The process id libpq got at login (BackendKeyData) is the server
     * session's own when nothing sits in between; a pooler that shares
     * sessions hands out a key of its own, as it cannot know at login
     * which session will serve the client. Only then is the probe's
     * extra connection worth its cost. */
    if (held == 0 && PQbackendPID(c->pg) == pid)
        return MB_OK;
    if (held == 0 && (probe = open_session(c, 0, &ignored)) != NULL) {
        PGresult *res = PQexec(probe, "SELECT pg_backend_pid()");

        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
            other = atol(PQgetvalue(res, 0, 0));
        PQclear(res);
        PQfinish(probe);
    }
    if (held == 0 && other != pid)
        return MB_OK;
    mb_error_set(err, MB_EDB, "cannot take the migration lock through a "
                 "connection pooler that shares server sessions between "
                 "clients; nothing was changed");
    if (held != 0)
        mb_error_detail(err, "server session %ld already holds the "
                        "migration lock, which this run has not taken", pid);
    else
        mb_error_detail(err, "two connections of this run were served by "
                        "the same server session (pid %ld)", pid);
    mb_error_hint(err, "the lock lives in one server session for the whole "
                  "run, which PgBouncer's transaction and statement "
                  "pooling modes do not keep: connect to PostgreSQL "
                  "directly, or through a pool in session mode");
    return MB_EDB;
}

/*
 * Wait at most ms milliseconds for the lock with the server's own
 * lock_timeout (SET LOCAL: the session's setting comes back at COMMIT or
 * ROLLBACK). *got = 0 when the time ran out.
 */
static int wait_lock(mb_conn *c, long ms, int *got, mb_error *err)
{
    char sql[256];
    PGresult *res;
    const char *state;
    int rc = MB_OK;

    *got = 0;
    snprintf(sql, sizeof sql, "BEGIN; SET LOCAL lock_timeout = %ld; "
             "SELECT pg_advisory_lock(%s, %s); COMMIT", ms, c->key1,
             c->key2);
    res = PQexec(c->pg, sql);
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        *got = 1;
    } else if (session_lost(c->pg, res)) {
        rc = lost_error(c, res, NULL, 0, " while waiting for the migration "
                        "lock", err);
    } else if (state == NULL || strcmp(state, "55P03") != 0) {
        char msg[512];

        one_line(msg, sizeof msg, PQresultErrorMessage(res));
        rc = mb_error_set(err, MB_EDB, "could not wait for the migration "
                          "lock: %s", msg);
    }
    PQclear(res);
    if (!*got && rc != MB_ECONN)
        PQclear(PQexec(c->pg, "ROLLBACK"));
    return rc;
}

static int pg_lock(mb_conn *c, const char *key, mb_error *err)
{
    const char *params[2] = {c->key1, c->key2};
    char holders[1024];
    mb_rows rows = MB_ROWS_INIT;
    double deadline = now_s() + c->o.lock_timeout;
    int rc, got;

    if (c->locked)
        return MB_OK;
    if ((rc = MB_FAULT("lock", err)) < 0)
        return rc;
    snprintf(c->key1, sizeof c->key1, "%d", MB_LOCK_CLASS);
    snprintf(c->key2, sizeof c->key2, "%d", mb_lock_number(key));
    if ((rc = check_pooler(c, err)) < 0 ||
        (rc = run_query(c, "SELECT pg_try_advisory_lock($1::int, $2::int)",
                        2, params, &rows, err)) < 0)
        return rc;
    got = rows.nrows == 1 && rows.cells[0] && rows.cells[0][0] == 't';
    mb_rows_free(&rows);
    /* bounded by the deadline: each pass waits until it, or REPORT_EVERY */
    while (!got) {
        double left = deadline - now_s();

        lock_holders(c, holders, sizeof holders);
        if (left <= 0) {
            mb_error_set(err, MB_ELOCKED, "could not acquire the migration "
                         "lock within %.1f s: another migration run holds "
                         "it", c->o.lock_timeout);
            mb_error_detail(err, "%s", holders);
            mb_error_hint(err, "wait for the other run to finish, or raise "
                          "--lock-timeout");
            return MB_ELOCKED;
        }
        mb_log(&c->o.log, MB_LOG_PROGRESS, "waiting for the migration "
               "lock, %s", holders);
        if (left > REPORT_EVERY)
            left = REPORT_EVERY;
        if ((rc = wait_lock(c, (long)(left * 1000.0) + 1, &got, err)) < 0)
            return rc;
    }
    c->locked = 1;
    return MB_OK;
}

/* Closing the session frees the lock too; unlocking first keeps a session
 * that lives on (a pool in session mode) from holding it. */
static void pg_unlock(mb_conn *c)
{
    const char *params[2] = {c->key1, c->key2};
    mb_error ignored = MB_ERROR_INIT;

    if (!c->locked)
        return;
    c->locked = 0;
    if (PQstatus(c->pg) == CONNECTION_OK)
        run_query(c, "SELECT pg_advisory_unlock($1::int, $2::int)", 2,
                  params, NULL, &ignored);
}

static int pg_begin(mb_conn *c, mb_error *err)
{
    int rc = MB_FAULT("begin", err);

    return rc < 0 ? rc
                  : simple(c, "BEGIN", "could not begin a transaction", err);
}

static int pg_commit(mb_conn *c, mb_error *err)
{
    int rc = MB_FAULT("commit", err);

    return rc < 0 ? rc : simple(c, "COMMIT", "could not commit", err);
}

static void pg_rollback(mb_conn *c)
{
    MB_FAULT_KILL("rollback");
    if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK &&
        PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        PGresult *res = PQexec(c->pg, "ROLLBACK");
        PQclear(res);
    }
}

/* Byte offset of the chars-th character (0-based) of UTF-8 text. */
static size_t char_to_byte(const char *text, size_t len, long chars)
{
    size_t i = 0;

    while (i < len && chars-- > 0) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* Characters (UTF-8 sequences) in text[0..len). */
static size_t utf8_chars(const char *text, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += ((unsigned char)text[i] & 0xC0) != 0x80;
    return n;
}

static unsigned lines_before(const char *text, size_t off)
{
    unsigned n = 0;
    size_t i;

    for (i = 0; i < off; i++)
        n += text[i] == '\n';
    return n;
}

/*
 * Describe the failure of statement k (of st) in res as
 * FILE:LINE: revision ID failed: MESSAGE, with SQLSTATE, the server's
 * detail and the statement in the detail and the server's hint as hint.
 * What was sent is text[base..base+sent), after skip characters of other
 * statements; the server's position counts characters from the start.
 */
static int report(const mb_script *s, const char *text, const mb_stmts *st,
                  size_t k, size_t base, size_t sent, long skip,
                  const PGresult *res, const char *fallback, int partial,
                  mb_error *err)
{
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    const char *posf = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
    const mb_stmt *stmt = k < st->n ? &st->v[k] : NULL;
    unsigned line = s->first_line, near = 0;
    char msg[512], where[64] = "", extra[600] = "";
    int shown = 0;

    one_line(msg, sizeof msg, primary ? primary : fallback);
    if (posf != NULL && atol(posf) - 1 - skip >= 0) {
        size_t off = base + char_to_byte(text + base, sent,
                                         atol(posf) - 1 - skip);
        size_t i;

        for (i = 0; i < st->n; i++) /* the statement holding it */
            if (st->v[i].offset <= off)
                stmt = &st->v[i];
        near = s->first_line + lines_before(text, off);
    }
    if (stmt != NULL) {
        line = stmt->line;
        shown = (int)strcspn(text + stmt->offset, "\n");
        if ((size_t)shown > stmt->len)
            shown = (int)stmt->len;
    }
    if (near != 0 && near != line)
        snprintf(where, sizeof where, " (error near line %u)", near);
    mb_error_at(err, MB_EDB, s->rev->path, (int)line,
                "revision %s failed: %s%s", s->rev->id, msg, where);
    if (detail != NULL)
        snprintf(extra, sizeof extra, "\n%s", detail);
    if (partial)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
                 "\nstatement %zu of %zu failed; the %zu before it stay "
                 "applied (transaction:false)", k + 1, st->n, k);
    mb_error_detail(err, "SQLSTATE %s%s\nstatement: %.*s%s",
                    state ? state : "?????", extra,
                    shown > 200 ? 200 : shown,
                    stmt ? text + stmt->offset : "",
                    stmt && (size_t)shown < stmt->len ? " ..." : "");
    if (hint != NULL)
        mb_error_hint(err, "%s", hint);
    return MB_EDB;
}

/*
 * A revision cannot feed COPY FROM STDIN (there is no data stream to read)
 * and has nowhere to send COPY TO STDOUT: refuse the first so the server
 * fails the statement instead of waiting for ever, drain the second. Takes
 * res and returns the statement's final result (the next one, or NULL).
 */
static PGresult *settle_copy(PGconn *pg, PGresult *res)
{
    ExecStatusType t = PQresultStatus(res);
    char *row;

    if (t != PGRES_COPY_IN && t != PGRES_COPY_OUT)
        return res;
    PQclear(res);
    if (t == PGRES_COPY_IN)
        PQputCopyEnd(pg, "COPY FROM STDIN cannot read data in a revision "
                     "file; use INSERT or COPY FROM a server file");
    else
        while (PQgetCopyData(pg, &row, 0) > 0) /* ends with the data */
            PQfreemem(row);
    return PQgetResult(pg);
}

/* The session died while statement k of st (or, past the section, the
 * revision's own rows) was running. */
static int script_lost(mb_conn *c, const mb_script *s, const mb_stmts *st,
                       size_t k, const PGresult *res, mb_error *err)
{
    char doing[128];

    snprintf(doing, sizeof doing, " while revision %s ran", s->rev->id);
    return lost_error(c, res, s->rev->path,
                      (int)(k < st->n ? st->v[k].line : s->first_line),
                      doing, err);
}

static int pg_exec_script(mb_conn *c, const mb_script *s, mb_exec_info *info,
                          mb_error *err)
{
    mb_stmts st = MB_STMTS_INIT;
    mb_exec_info local = {0, 0};
    mb_buf full = MB_BUF_INIT;
    char *text = mb_malloc(s->len + 1);
    PGresult *res, *failed = NULL;
    size_t k, done = 0;
    int rc;

    if (info == NULL)
        info = &local;
    info->done = info->total = 0;
    if (text == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    memcpy(text, s->sql, s->len);
    text[s->len] = '\0';
    if ((rc = mb_sql_split(&st, text, s->len, s->rev->path, s->first_line,
                           err)) < 0)
        goto done;
    info->total = st.n;
    if (!s->transaction) {
        for (k = 0; k < st.n; k++) { /* one statement at a time */
            char saved = text[st.v[k].offset + st.v[k].len];

            if ((rc = MB_FAULT("stmt", err)) < 0) {
                snprintf(err->file, sizeof err->file, "%s", s->rev->path);
                err->line = (int)st.v[k].line;
                goto done;
            }
            text[st.v[k].offset + st.v[k].len] = '\0';
            res = settle_copy(c->pg, PQexec(c->pg, text + st.v[k].offset));
            text[st.v[k].offset + st.v[k].len] = saved;
            if (res != NULL) { /* PQexec's single result: drain the rest */
                PGresult *extra;
                while ((extra = PQgetResult(c->pg)) != NULL)
                    PQclear(extra);
            }
            if (PQresultStatus(res) != PGRES_COMMAND_OK &&
                PQresultStatus(res) != PGRES_TUPLES_OK) {
                rc = session_lost(c->pg, res)
                         ? script_lost(c, s, &st, k, res, err)
                         : report(s, text, &st, k, st.v[k].offset,
                                  st.v[k].len, 0, res, PQerrorMessage(c->pg),
                                  1, err);
                PQclear(res);
                goto done;
            }
            PQclear(res);
            info->done++;
        }
        goto done;
    }
    if (st.n == 0 && s->prologue == NULL && s->epilogue == NULL)
        goto done;
    /* prologue, section and epilogue in one simple-protocol query; the
     * ";" after the section ends a last statement that has none */
    if ((rc = mb_buf_printf(&full, err, "%s%s%s\n;\n%s",
                            s->prologue ? s->prologue : "",
                            s->prologue ? ";\n" : "", text,
                            s->epilogue ? s->epilogue : "")) < 0)
        goto done;
    if ((rc = MB_FAULT("stmt", err)) < 0) {
        snprintf(err->file, sizeof err->file, "%s", s->rev->path);
        err->line = (int)s->first_line;
        goto done;
    }
    if (!PQsendQuery(c->pg, full.ptr)) {
        rc = session_lost(c->pg, NULL)
                 ? script_lost(c, s, &st, st.n, NULL, err)
                 : mb_error_at(err, MB_EDB, s->rev->path, (int)s->first_line,
                               "revision %s failed: %s", s->rev->id,
                               PQerrorMessage(c->pg));
        goto done;
    }
    /* one result per statement until the first error; drain them all */
    MB_FAULT_KILL("sent");
    while ((res = PQgetResult(c->pg)) != NULL) {
        ExecStatusType t;

        MB_FAULT_KILL("result");
        if ((res = settle_copy(c->pg, res)) == NULL)
            break;
        t = PQresultStatus(res);

        if (failed == NULL &&
            (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ||
             t == PGRES_EMPTY_QUERY)) {
            done++;
            PQclear(res);
        } else if (failed == NULL) {
            failed = res;
        } else {
            PQclear(res);
        }
    }
    info->done = done > s->n_prologue ? done - s->n_prologue : 0;
    if (failed == NULL)
        goto done;
    {
        /* Which part failed: the error position when there is one (a
         * syntax error fails the whole query before anything runs), else
         * the count of results before the error. The server counts
         * characters of the whole query. */
        const char *posf = PQresultErrorField(failed,
                                              PG_DIAG_STATEMENT_POSITION);
        size_t prefix = s->prologue ? strlen(s->prologue) + 2 : 0;
        long skip = (long)utf8_chars(full.ptr, prefix);
        long in_text = posf ? atol(posf) - 1 - skip : -1;
        int in_section = posf ? in_text >= 0 &&
                                    (size_t)in_text < utf8_chars(text, s->len)
                              : done >= s->n_prologue && info->done < st.n;

        const char *primary = PQresultErrorField(failed,
                                                 PG_DIAG_MESSAGE_PRIMARY);
        const char *detail = PQresultErrorField(failed,
                                                PG_DIAG_MESSAGE_DETAIL);

        if (session_lost(c->pg, failed)) {
            rc = script_lost(c, s, &st,
                             done >= s->n_prologue ? info->done : st.n,
                             failed, err);
        } else if (in_section) {
            rc = report(s, text, &st, info->done, 0, s->len, skip, failed,
                        PQerrorMessage(c->pg), 0, err);
        } else {
            char msg[512];

            one_line(msg, sizeof msg, primary ? primary
                                              : PQresultErrorMessage(failed));
            rc = mb_error_at(err, MB_EDB, s->rev->path, (int)s->first_line,
                             "could not %s revision %s: %s",
                             done < s->n_prologue ? "start" : "record",
                             s->rev->id, msg);
            if (detail != NULL)
                mb_error_detail(err, "%s", detail);
        }
    }
done:
    PQclear(failed);
    mb_stmts_free(&st);
    mb_buf_free(&full);
    free(text);
    return rc;
}

static int pg_table_exists(mb_conn *c, const char *schema, const char *name,
                           int *out, mb_error *err)
{
    const char *params[2] = {schema, name};
    mb_rows rows = MB_ROWS_INIT;
    int rc;

    *out = 0;
    rc = run_query(c,
                   "SELECT 1 FROM pg_catalog.pg_class c "
                   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE c.relname = $2 AND c.relkind IN ('r', 'p') "
                   "AND n.nspname = coalesce($1, current_schema())",
                   2, params, &rows, err);
    if (rc == MB_OK)
        *out = rows.nrows > 0;
    mb_rows_free(&rows);
    return rc;
}

static int pg_quote_ident(mb_conn *c, mb_buf *out, const char *name,
                          mb_error *err)
{
    char *q = PQescapeIdentifier(c->pg, name, strlen(name));
    int rc;

    if (q == NULL)
        return mb_error_set(err, MB_ERROR, "could not quote identifier: %s",
                            PQerrorMessage(c->pg));
    rc = mb_buf_puts(out, q, err);
    PQfreemem(q);
    return rc;
}

static int pg_quote_literal(mb_conn *c, mb_buf *out, const char *value,
                            mb_error *err)
{
    char *q;
    int rc;

    if (value == NULL)
        return mb_buf_puts(out, "NULL", err);
    q = PQescapeLiteral(c->pg, value, strlen(value));
    if (q == NULL)
        return mb_error_set(err, MB_ERROR, "could not quote a value: %s",
                            PQerrorMessage(c->pg));
    rc = mb_buf_puts(out, q, err);
    PQfreemem(q);
    return rc;
}

/* PQcancel() is safe in a signal handler with a buffer on the stack. */
static void pg_interrupt(mb_conn *c)
{
    char errbuf[256];

    if (c != NULL && c->cancel != NULL)
        (void)PQcancel(c->cancel, errbuf, (int)sizeof errbuf);
}

const mb_backend mb_backend_postgres = {
    .scheme = "postgresql",
    .dialect = MB_DIALECT_POSTGRESQL,
    .batch = 1,
    .connect = pg_connect,
    .close = pg_close,
    .lock = pg_lock,
    .unlock = pg_unlock,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .query = pg_query,
    .exec_script = pg_exec_script,
    .table_exists = pg_table_exists,
    .quote_ident = pg_quote_ident,
    .quote_literal = pg_quote_literal,
    .interrupt = pg_interrupt,
};

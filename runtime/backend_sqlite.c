/*
 * backend_sqlite.c -- the SQLite backend (sqlite:PATH, sqlite::memory:).
 *
 * Locking: each revision runs in a BEGIN IMMEDIATE transaction, which
 * waits for other writers through SQLite's busy timeout. On top of that a
 * migration run holds flock() on the database file from its first write
 * to its end, so a second app-migrate started at the same time waits for
 * the whole run and then finds nothing to do. flock locks do not interact
 * with SQLite's own POSIX locks, and the descriptor is closed only after
 * sqlite3_close(), so SQLite's locks are never dropped early.
 *
 * A database file that does not exist is not created until the first
 * write, so a refused or read-only command leaves no file behind.
 *
 * After a crash: a writer that died mid-transaction leaves a hot journal,
 * which SQLite rolls back on the next read-write open. A read-only
 * connection cannot, and fails every query; so when a journal is there,
 * a read-only probe asks SQLite whether it is hot, and if so even a read
 * command opens the file read-write (then sets query_only), lets SQLite
 * roll the transaction back, and says so.
 *
 * Busy: when another process holds SQLite's locks or the run's flock()
 * past the lock timeout, the error says who, from fcntl(F_GETLK) on
 * SQLite's lock bytes and from /proc/locks.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "mb/alloc.h"
#include "mb/backend.h"
#include "mb/fault.h"

struct mb_conn {
    sqlite3 *db;        /* NULL while the file does not exist yet */
    char *path;         /* file name given to sqlite3_open_v2 */
    int memory;         /* :memory: */
    int readonly;
    double lock_timeout;
    int lock_fd;        /* flock descriptor, -1 when not locked */
    mb_logger log;      /* lock waits and the crash-recovery note */
    volatile sig_atomic_t stop; /* set by interrupt(): stop waiting */
    int created;        /* this run created the file (sq_lock) */
    struct {            /* statements kept prepared (see cached_stmt) */
        char *sql;
        sqlite3_stmt *st;
    } cache[8];
    unsigned cache_next; /* the slot to reuse next */
};

#define CACHE_SLOTS (sizeof ((mb_conn *)0)->cache / \
                     sizeof ((mb_conn *)0)->cache[0])

/* Close the database, the kept statements first (sqlite3_close()
 * refuses to close a connection with statements left). */
static void close_db(mb_conn *c)
{
    size_t i;

    for (i = 0; i < CACHE_SLOTS; i++) {
        sqlite3_finalize(c->cache[i].st);
        free(c->cache[i].sql);
        c->cache[i].st = NULL;
        c->cache[i].sql = NULL;
    }
    sqlite3_close(c->db);
    c->db = NULL;
}

/*
 * The prepared statement for sql, kept from an earlier call or prepared
 * now and kept (the oldest of the 8 slots goes). A run sends the same
 * few statements for every revision (the version and log rows, the
 * savepoints), and preparing the log row's INSERT, CHECK constraints and
 * all, costs as much as running it. The statement stays owned by the
 * cache; the caller resets it after use. SQLite's result code.
 */
static int cached_stmt(mb_conn *c, const char *sql, sqlite3_stmt **out)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    char *copy;
    int src;

    for (i = 0; i < CACHE_SLOTS; i++) {
        if (c->cache[i].sql != NULL && strcmp(c->cache[i].sql, sql) == 0) {
            *out = c->cache[i].st;
            return SQLITE_OK;
        }
    }
    if ((src = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL)) != SQLITE_OK)
        return src;
    if ((copy = mb_strdup(sql)) == NULL) {
        sqlite3_finalize(st);
        return SQLITE_NOMEM;
    }
    i = c->cache_next++ % CACHE_SLOTS;
    sqlite3_finalize(c->cache[i].st);
    free(c->cache[i].sql);
    c->cache[i].sql = copy;
    c->cache[i].st = st;
    *out = st;
    return SQLITE_OK;
}

static int busy_error(mb_conn *c, const char *doing, mb_error *err);

/*
 * An error of the database file itself rather than of a statement (disk
 * full, read-only, not a database, damaged, I/O): a message that names
 * the file and a hint that says what to do. 0 when code is none of them.
 */
static int file_error(mb_conn *c, int code, mb_error *err)
{
    const char *p = c->path, *msg = c->db ? sqlite3_errmsg(c->db) : "";

    switch (code & 0xff) {
    case SQLITE_FULL:
        mb_error_set(err, MB_EDB, "could not write database \"%s\": the "
                     "disk is full", p);
        mb_error_hint(err, "free space on the file system that holds \"%s\" "
                      "(SQLite writes a journal beside it, as large as the "
                      "pages a revision changes), then run again", p);
        return MB_EDB;
    case SQLITE_READONLY:
        mb_error_set(err, MB_EDB, "could not write database \"%s\": %s", p,
                     msg);
        mb_error_hint(err, "a run writes the file and creates a journal "
                      "beside it: give this user write access to \"%s\" "
                      "and its directory", p);
        return MB_EDB;
    case SQLITE_NOTADB:
        mb_error_set(err, MB_EDB, "could not read database \"%s\": the "
                     "file is not an SQLite database", p);
        mb_error_hint(err, "check the path in the URL: this file exists but "
                      "holds something else");
        return MB_EDB;
    case SQLITE_CORRUPT:
        mb_error_set(err, MB_EDB, "could not read database \"%s\": the "
                     "file is damaged (%s)", p, msg);
        mb_error_hint(err, "check it with sqlite3 \"%s\" \"PRAGMA "
                      "integrity_check\" and restore it from a backup", p);
        return MB_EDB;
    case SQLITE_IOERR:
        mb_error_set(err, MB_EDB, "could not read or write database \"%s\": "
                     "%s", p, msg);
        mb_error_hint(err, "the file system failed: check the disk and the "
                      "system log, then run again");
        return MB_EDB;
    case SQLITE_CANTOPEN:
        mb_error_set(err, MB_EDB, "could not open database \"%s\": %s", p,
                     msg);
        mb_error_hint(err, "check that the directory of \"%s\" exists and "
                      "that this user may create and write files in it", p);
        return MB_EDB;
    case SQLITE_NOMEM:
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    default:
        return 0;
    }
}

static int db_error(mb_conn *c, mb_error *err, const char *what)
{
    int code = c->db ? sqlite3_extended_errcode(c->db) : SQLITE_ERROR;
    int rc;

    if ((code & 0xff) == SQLITE_BUSY)
        return busy_error(c, "write", err);
    if ((rc = file_error(c, code, err)) != 0)
        return rc;
    mb_error_set(err, MB_EDB, "%s: %s", what,
                 c->db ? sqlite3_errmsg(c->db) : "no database");
    return MB_EDB;
}

/* SQLite's lock bytes (os_unix.c): PENDING, RESERVED, then the SHARED
 * range; a conflicting lock on any of them blocks a writer. */
#define SQLITE_LOCK_FIRST 0x40000000L
#define SQLITE_LOCK_BYTES 512

/*
 * "held by pid N (COMM)" for a process that holds a lock on path: a POSIX
 * lock on SQLite's lock bytes (any SQLite client) or a flock() (another
 * app-migrate run); "" when none is found (the holder just let go, or
 * /proc is not there).
 */
static void lock_holder(const char *path, char *out, size_t size)
{
    struct flock fl = {0};
    struct stat st;
    char line[256], comm[64] = "";
    long pid = 0;
    FILE *fp;
    int fd = open(path, O_RDONLY | O_CLOEXEC), lines = 0;

    out[0] = '\0';
    if (fd < 0)
        return;
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = SQLITE_LOCK_FIRST;
    fl.l_len = SQLITE_LOCK_BYTES;
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
        pid = (long)fl.l_pid;
    if (pid == 0 && fstat(fd, &st) == 0 &&
        (fp = fopen("/proc/locks", "r")) != NULL) {
        /* "1: FLOCK  ADVISORY  WRITE 123 fd:01:4567 0 EOF"; bounded */
        while (pid == 0 && lines++ < 100000 &&
               fgets(line, sizeof line, fp) != NULL) {
            unsigned maj, min;
            unsigned long ino;
            long p;

            if (strstr(line, "FLOCK") != NULL &&
                sscanf(strstr(line, "FLOCK"), "FLOCK %*s %*s %ld %x:%x:%lu",
                       &p, &maj, &min, &ino) == 4 &&
                ino == (unsigned long)st.st_ino &&
                maj == (unsigned)major(st.st_dev) &&
                min == (unsigned)minor(st.st_dev) &&
                p != (long)getpid())
                pid = p;
        }
        fclose(fp);
    }
    close(fd);
    if (pid <= 0)
        return;
    snprintf(line, sizeof line, "/proc/%ld/comm", pid);
    if ((fp = fopen(line, "r")) != NULL) {
        if (fgets(comm, sizeof comm, fp) != NULL)
            comm[strcspn(comm, "\n")] = '\0';
        fclose(fp);
    }
    snprintf(out, size, "held by pid %ld%s%s%s", pid, comm[0] ? " (" : "",
             comm, comm[0] ? ")" : "");
}

/*
 * The database stayed locked past the lock timeout: doing is "lock" (the
 * run's flock(), which only app-migrate takes), "read" or "write"
 * (SQLite's own locks, which any client may hold).
 */
static int busy_error(mb_conn *c, const char *doing, mb_error *err)
{
    char who[128];

    lock_holder(c->path, who, sizeof who);
    mb_error_set(err, MB_ELOCKED, "could not %s database \"%s\" within "
                 "%.1f s: %s", doing, c->path, c->lock_timeout,
                 strcmp(doing, "lock") == 0
                     ? "another migration run holds it"
                     : "another run holds the lock");
    if (who[0] != '\0')
        mb_error_detail(err, "%s", who);
    mb_error_hint(err, "wait for the other run to finish, or raise "
                  "--lock-timeout");
    return MB_ELOCKED;
}

/* sqlite:PATH, sqlite::memory:, and SQLAlchemy's sqlite:///PATH */
static const char *url_path(const char *url)
{
    const char *p = url + strlen("sqlite:");

    if (strncmp(p, "//", 2) == 0) {
        p += 2;
        p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p);
    }
    return p;
}


/*
 * app-migrate is single-threaded: no allocation statistics (they take a
 * mutex per malloc) and no per-connection mutex. Must precede the first
 * use of SQLite in the process.
 */
static void configure(void)
{
    static int configured;

    if (configured)
        return;
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#ifdef MB_FAULT_INJECTION
    mb_fault_sqlite_setup();
#endif
    configured = 1;
}

static int open_db(mb_conn *c, int flags, mb_error *err)
{
    int ms = (int)(c->lock_timeout * 1000.0), rc;

    if ((rc = sqlite3_open_v2(c->path, &c->db, flags | SQLITE_OPEN_NOMUTEX,
                              NULL)) != SQLITE_OK) {
        if (c->db == NULL || file_error(c, rc, err) == 0)
            mb_error_set(err, MB_EDB, "could not open database \"%s\": %s",
                         c->path, c->db ? sqlite3_errmsg(c->db)
                                        : "out of memory");
        close_db(c);
        return err->code == MB_ENOMEM ? MB_ENOMEM : MB_EDB;
    }
    sqlite3_busy_timeout(c->db, ms > 0 ? ms : 1);
    sqlite3_extended_result_codes(c->db, 1);
    return MB_OK;
}

static void sq_close(mb_conn *c)
{
    if (c == NULL)
        return;
    close_db(c);
    if (c->lock_fd >= 0)
        close(c->lock_fd); /* after sqlite3_close: see the file comment */
    free(c->path);
    free(c);
}

/*
 * 1 when path has a hot journal: the rollback journal of a writer that
 * died mid-transaction. Only a journal file that exists is asked about,
 * and SQLite itself decides (a journal another live writer is using is
 * not hot): a read-only connection that meets a hot journal cannot roll
 * it back and fails its first read with SQLITE_READONLY_ROLLBACK.
 */
static int hot_journal(const char *path)
{
    char *journal = sqlite3_mprintf("%s-journal", path);
    sqlite3 *db = NULL;
    struct stat st;
    int hot = 0;

    if (journal != NULL && stat(journal, &st) == 0 && st.st_size > 0 &&
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY |
                        SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
        sqlite3_extended_result_codes(db, 1);
        hot = sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL) ==
              SQLITE_READONLY_ROLLBACK;
    }
    sqlite3_close(db);
    sqlite3_free(journal);
    return hot;
}

/*
 * Open an existing file. After a crash (a hot journal) the file is opened
 * read-write whatever the command, and read once, which makes SQLite roll
 * the interrupted transaction back; a read command then runs query_only.
 */
static int open_existing(mb_conn *c, mb_error *err)
{
    int rc;

    if (!hot_journal(c->path))
        return open_db(c, c->readonly ? SQLITE_OPEN_READONLY
                                      : SQLITE_OPEN_READWRITE, err);
    if ((rc = open_db(c, SQLITE_OPEN_READWRITE, err)) < 0)
        return rc;
    rc = sqlite3_exec(c->db, "PRAGMA schema_version", NULL, NULL, NULL);
    if ((rc & 0xff) == SQLITE_READONLY) {
        /* SQLite opened the file read-only: this user may not write it */
        mb_error_set(err, MB_EDB, "could not read database \"%s\": it "
                     "holds an interrupted transaction, which SQLite must "
                     "roll back first, and this user may not write it",
                     c->path);
        mb_error_hint(err, "run any command once as a user who may write "
                      "\"%s\" and its directory: SQLite rolls the "
                      "transaction back when it opens the file", c->path);
        return MB_EDB;
    }
    if (rc != SQLITE_OK)
        return (rc & 0xff) == SQLITE_BUSY
                   ? busy_error(c, "read", err)
                   : db_error(c, err, "could not roll back the interrupted "
                              "transaction");
    if (c->readonly &&
        sqlite3_exec(c->db, "PRAGMA query_only = 1", NULL, NULL, NULL) !=
            SQLITE_OK)
        return db_error(c, err, "could not make the connection read-only");
    mb_log(&c->log, MB_LOG_PROGRESS, "the last run on \"%s\" was "
           "interrupted: SQLite rolled back its unfinished transaction",
           c->path);
    return MB_OK;
}

static int sq_connect(mb_conn **out, const char *url, const mb_connect_opts *o,
                      mb_error *err)
{
    const char *path = url_path(url);
    struct stat st;
    mb_conn *c;
    int rc = MB_OK;

    *out = NULL;
    configure();
    if ((rc = MB_FAULT("connect", err)) < 0)
        return rc;
    if (*path == '\0') {
        mb_error_set(err, MB_EUSAGE, "database URL \"%s\" has no file name",
                     url);
        mb_error_hint(err, "use sqlite:PATH or sqlite::memory:");
        return MB_EUSAGE;
    }
    c = mb_calloc(1, sizeof *c);
    if (c == NULL || (c->path = mb_strdup(path)) == NULL) {
        free(c);
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    }
    c->lock_fd = -1;
    c->readonly = o->readonly;
    c->lock_timeout = o->lock_timeout;
    c->log = o->log;
    c->memory = strcmp(path, ":memory:") == 0;
    if (c->memory)
        rc = open_db(c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, err);
    else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = mb_error_set(err, MB_EDB, "database \"%s\" is a directory, not "
                          "a database file", path);
        mb_error_hint(err, "name the database file in the URL, e.g. "
                      "sqlite:%s/app.db (it is created by the first run "
                      "that has something to do)", path);
    } else if (stat(path, &st) == 0)
        rc = open_existing(c, err);
    else if (errno != ENOENT)
        rc = mb_error_set(err, MB_EDB, "could not open database \"%s\": %s",
                          path, strerror(errno));
    if (rc < 0) {
        sq_close(c);
        return rc;
    }
    *out = c;
    return MB_OK;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Wait, at most the lock timeout, for the flock() on c->lock_fd. */
static int wait_flock(mb_conn *c, mb_error *err)
{
    long waited = 0, limit = (long)(c->lock_timeout * 1000.0), pause = 5;
    long next_report = 0;
    char who[128];

    /* bounded: at most limit/5 + 1 attempts */
    while (flock(c->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (c->stop)
            return mb_error_set(err, MB_ELOCKED, "stopped waiting for the "
                                "lock on \"%s\"", c->path);
        if (errno != EWOULDBLOCK && errno != EINTR)
            return mb_error_set(err, MB_EDB, "could not lock \"%s\": %s",
                                c->path, strerror(errno));
        if (waited >= limit)
            return busy_error(c, "lock", err);
        if (waited >= next_report) { /* at once, then every 10 s */
            lock_holder(c->path, who, sizeof who);
            mb_log(&c->log, MB_LOG_PROGRESS, "waiting for the migration "
                   "lock on \"%s\"%s%s", c->path, who[0] ? ", " : "", who);
            next_report = waited + 10000;
        }
        sleep_ms(pause);
        waited += pause;
        if (pause < 100)
            pause *= 2;
    }
    return MB_OK;
}

/*
 * Take the run's flock() on the database file, creating the file if it
 * does not exist. A file this run creates and leaves empty is removed
 * again at unlock (a run that could not write anything, on a full disk
 * say, leaves no file behind); a runner that waited on such a file finds
 * it unlinked once it holds the lock, and starts again with a new one.
 */
static int sq_lock(mb_conn *c, const char *key, mb_error *err)
{
    struct stat st;
    int rc, tries;

    (void)key; /* one migration run per database file at a time */
    if ((rc = MB_FAULT("lock", err)) < 0)
        return rc;
    if (c->memory || c->lock_fd >= 0)
        return MB_OK;
    for (tries = 0;; tries++) { /* bounded: at most 10 files removed */
        if (c->db == NULL) {
            c->created = stat(c->path, &st) != 0 && errno == ENOENT;
            if ((rc = open_db(c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              err)) < 0)
                return rc;
        }
        c->lock_fd = open(c->path, O_RDONLY | O_CLOEXEC);
        if (c->lock_fd < 0)
            return mb_error_set(err, MB_EDB, "could not open \"%s\" to lock "
                                "it: %s", c->path, strerror(errno));
        if ((rc = wait_flock(c, err)) < 0) {
            close(c->lock_fd);
            c->lock_fd = -1;
            return rc;
        }
        if (fstat(c->lock_fd, &st) != 0 || st.st_nlink > 0 || tries >= 10)
            return MB_OK;
        close(c->lock_fd); /* removed while we waited: a new file */
        c->lock_fd = -1;
        close_db(c);
    }
}

static void sq_unlock(mb_conn *c)
{
    struct stat st;

    if (c->lock_fd < 0)
        return;
    /* still holding the lock: nobody else can be writing the file */
    if (c->created && fstat(c->lock_fd, &st) == 0 && st.st_size == 0)
        unlink(c->path);
    flock(c->lock_fd, LOCK_UN);
    /* closed in sq_close, after sqlite3_close */
}

static int exec_simple(mb_conn *c, const char *sql, mb_error *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

    if (rc == SQLITE_OK)
        return MB_OK;
    if ((rc & 0xff) == SQLITE_BUSY)
        return busy_error(c, "write", err);
    return db_error(c, err, sql);
}

static int sq_begin(mb_conn *c, mb_error *err)
{
    int rc = MB_FAULT("begin", err);

    return rc < 0 ? rc : exec_simple(c, "BEGIN IMMEDIATE", err);
}

static int sq_commit(mb_conn *c, mb_error *err)
{
    int rc = MB_FAULT("commit", err);

    return rc < 0 ? rc : exec_simple(c, "COMMIT", err);
}

static void sq_rollback(mb_conn *c)
{
    MB_FAULT_KILL("rollback");
    if (c->db != NULL && !sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Append one cell to a growing array; the array doubles as needed. */
static int push_cell(mb_rows *r, size_t *cap, char *cell)
{
    size_t n = r->nrows; /* used as the cell count while filling */

    if (n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char **p = mb_realloc(r->cells, ncap * sizeof *p);
        if (p == NULL)
            return MB_ENOMEM;
        r->cells = p;
        *cap = ncap;
    }
    r->cells[n] = cell;
    r->nrows = n + 1;
    return MB_OK;
}

static int sq_query(mb_conn *c, const char *sql, int nparams,
                    const char *const *params, mb_rows *out, mb_error *err)
{
    sqlite3_stmt *st = NULL;
    mb_rows rows = MB_ROWS_INIT; /* nrows counts cells until the end */
    size_t cap = 0;
    int i, ncols, src, rc = MB_OK;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c->db == NULL)
        return mb_error_set(err, MB_EDB, "database \"%s\" does not exist",
                            c->path);
    if ((rc = MB_FAULT("query", err)) < 0)
        return rc;
    if ((src = cached_stmt(c, sql, &st)) != SQLITE_OK)
        return (src & 0xff) == SQLITE_BUSY ? busy_error(c, "read", err)
               : (src & 0xff) == SQLITE_NOMEM
                   ? mb_error_set(err, MB_ENOMEM, "out of memory")
                   : db_error(c, err, "could not prepare a query");
    /* the values outlive the statement: bound without a copy */
    for (i = 1; i <= nparams; i++) {
        char name[16];
        int at;

        snprintf(name, sizeof name, "$%d", i);
        at = sqlite3_bind_parameter_index(st, name);
        if (at > 0 && sqlite3_bind_text(st, at, params[i - 1], -1,
                                        SQLITE_STATIC) != SQLITE_OK) {
            rc = db_error(c, err, "could not bind a query parameter");
            goto done;
        }
    }
    ncols = sqlite3_column_count(st);
    rows.ncols = (size_t)ncols;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (out == NULL)
            continue;
        for (i = 0; i < ncols; i++) {
            const unsigned char *v = sqlite3_column_text(st, i);
            char *copy = v ? mb_arena_strndup(&rows.text, (const char *)v,
                                              (size_t)sqlite3_column_bytes(
                                                  st, i))
                           : NULL;

            if ((v != NULL && copy == NULL) ||
                push_cell(&rows, &cap, copy) < 0) {
                rc = mb_error_set(err, MB_ENOMEM, "out of memory");
                goto done;
            }
        }
    }
    if (src != SQLITE_DONE) {
        rc = (src & 0xff) == SQLITE_BUSY
                 ? busy_error(c, sqlite3_stmt_readonly(st) ? "read" : "write",
                              err)
                 : db_error(c, err, "query failed");
        goto done;
    }
    if (out != NULL) {
        rows.nrows = ncols > 0 ? rows.nrows / (size_t)ncols : 0;
        *out = rows;
        rows = (mb_rows)MB_ROWS_INIT;
    }
done:
    mb_rows_free(&rows);
    sqlite3_reset(st); /* kept by the cache, for the next call */
    sqlite3_clear_bindings(st);
    return rc;
}

/* Skip whitespace and comments from p; returns the first other byte. */
static const char *skip_space(const char *p, const char *end)
{
    while (p < end) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
            *p == '\f' || *p == '\v') {
            p++;
        } else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
            const char *q = p + 2;
            while (q + 1 < end && !(q[0] == '*' && q[1] == '/'))
                q++;
            p = q + 1 < end ? q + 2 : end;
        } else {
            break;
        }
    }
    return p;
}

static unsigned count_lines(const char *from, const char *to)
{
    unsigned n = 0;

    for (; from < to; from++)
        n += *from == '\n';
    return n;
}

/* Report the failure of the statement starting at stmt. */
static int script_error(mb_conn *c, const mb_script *s, const char *stmt,
                        const char *end, int offset, mb_error *err)
{
    unsigned line = s->first_line + count_lines(s->sql, stmt);
    const char *eol = memchr(stmt, '\n', (size_t)(end - stmt));
    int shown = (int)((eol ? eol : end) - stmt);

    if ((sqlite3_errcode(c->db) & 0xff) == SQLITE_BUSY ||
        (sqlite3_errcode(c->db) & 0xff) == SQLITE_INTERRUPT ||
        ((sqlite3_errcode(c->db) & 0xff) != SQLITE_CANTOPEN &&
         file_error(c, sqlite3_extended_errcode(c->db), NULL) != 0)) {
        /* not the statement's fault: the file, or someone else */
        int rc = db_error(c, err, "");

        snprintf(err->file, sizeof err->file, "%s", s->rev->path);
        err->line = (int)line;
        return rc;
    }
    mb_error_at(err, MB_EDB, s->rev->path, (int)line,
                "revision %s failed: %s", s->rev->id, sqlite3_errmsg(c->db));
    if (offset >= 0 && offset < (int)(end - stmt)) {
        unsigned at = line + count_lines(stmt, stmt + offset);
        if (at != line)
            snprintf(err->msg + strlen(err->msg),
                     sizeof err->msg - strlen(err->msg),
                     " (error near line %u)", at);
    }
    mb_error_detail(err, "statement: %.*s%s", shown > 200 ? 200 : shown, stmt,
                    eol && eol + 1 < end ? " ..." : "");
    return MB_EDB;
}

/* Run the prologue or epilogue of a script (our own SQL, no rows). */
static int run_extra(mb_conn *c, const mb_script *s, const char *sql,
                     mb_error *err)
{
    char *msg = NULL;

    if (sql == NULL || sqlite3_exec(c->db, sql, NULL, NULL, &msg) ==
                           SQLITE_OK)
        return MB_OK;
    mb_error_at(err, MB_EDB, s->rev->path, (int)s->first_line,
                "could not record revision %s: %s", s->rev->id,
                msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    return MB_EDB;
}

static int sq_exec_script(mb_conn *c, const mb_script *s, mb_exec_info *info,
                          mb_error *err)
{
    const char *p = s->sql, *end = s->sql + s->len;
    mb_exec_info local = {0, 0};
    int rc;

    if (info == NULL)
        info = &local;
    info->done = info->total = 0; /* SQLite splits as it goes: no total */
    if ((rc = run_extra(c, s, s->prologue, err)) < 0)
        return rc;

    /* Each iteration consumes at least one byte: bounded by len. */
    while ((p = skip_space(p, end)) < end) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int src;

        if ((rc = MB_FAULT("stmt", err)) < 0) {
            snprintf(err->file, sizeof err->file, "%s", s->rev->path);
            err->line = (int)(s->first_line + count_lines(s->sql, p));
            return rc;
        }
        if (sqlite3_prepare_v2(c->db, p, (int)(end - p), &st, &tail) !=
            SQLITE_OK)
            return script_error(c, s, p, end, sqlite3_error_offset(c->db),
                                err);
        if (st != NULL) {
            while ((src = sqlite3_step(st)) == SQLITE_ROW)
                ;
            if (src != SQLITE_DONE) {
                rc = script_error(c, s, p, end, -1, err);
                sqlite3_finalize(st);
                return rc;
            }
            sqlite3_finalize(st);
            info->done++;
        }
        if (tail == NULL || tail <= p)
            break;
        p = tail;
    }
    return run_extra(c, s, s->epilogue, err);
}

static int sq_table_exists(mb_conn *c, const char *schema, const char *name,
                           int *out, mb_error *err)
{
    mb_rows rows = MB_ROWS_INIT;
    int rc;

    *out = 0;
    if (schema != NULL)
        return mb_error_set(err, MB_EUSAGE, "SQLite databases have no "
                            "schemas for the version table");
    if (c->db == NULL)
        return MB_OK;
    /* pragma_table_info looks the name up in the schema SQLite holds in
     * memory; a WHERE on sqlite_master would scan it, a row per table and
     * index of the application (twice per run) */
    rc = sq_query(c, "SELECT 1 FROM pragma_table_info($1) LIMIT 1", 1,
                  &name, &rows, err);
    if (rc == MB_OK)
        *out = rows.nrows > 0;
    mb_rows_free(&rows);
    return rc;
}

/* sqlite3_interrupt() may be called from a signal handler (the sqlite3
 * shell does); the flag stops the wait for the flock(). */
static void sq_interrupt(mb_conn *c)
{
    if (c == NULL)
        return;
    c->stop = 1;
    if (c->db != NULL)
        sqlite3_interrupt(c->db);
}

const mb_backend mb_backend_sqlite = {
    .scheme = "sqlite",
    .dialect = MB_DIALECT_SQLITE,
    .batch = 0, /* in-process: nothing to save */
    .group_commit = 1,
    .connect = sq_connect,
    .close = sq_close,
    .lock = sq_lock,
    .unlock = sq_unlock,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .query = sq_query,
    .exec_script = sq_exec_script,
    .table_exists = sq_table_exists,
    .quote_ident = mb_sql_quote_ident, /* SQLite quotes as the standard */
    .quote_literal = mb_sql_quote_literal,
    .interrupt = sq_interrupt,
};

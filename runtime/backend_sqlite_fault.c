/*
 * backend_sqlite_fault.c -- SQLite's allocations and file I/O as fault
 * points, for test builds (MB_FAULT_INJECTION; see mb/fault.h).
 *
 * mb_fault_sqlite_setup() wraps SQLite's allocator, so that the point
 * "alloc" fails SQLite's allocations too (SQLite reports them as
 * SQLITE_NOMEM), and registers as the default a VFS over the default one
 * whose writes, syncs, truncations and deletions are the points io_write,
 * io_sync, io_truncate and io_delete: a crash or an I/O error at every
 * step of SQLite's commit protocol (journal, database file, journal
 * deletion), as SQLite's own crash tests do. backend_sqlite.c calls it
 * once, before SQLite's first use. In other builds this file is empty.
 */
#ifdef MB_FAULT_INJECTION

#include <sqlite3.h>

#include "mb/fault.h"

static sqlite3_mem_methods sqlite_mem; /* SQLite's own, wrapped */

static void *fault_malloc(int n)
{
    return mb_fault_pass("alloc", MB_FAULT_ANY) ? NULL
                                                 : sqlite_mem.xMalloc(n);
}

static void *fault_realloc(void *p, int n)
{
    return mb_fault_pass("alloc", MB_FAULT_ANY) ? NULL
                                                 : sqlite_mem.xRealloc(p, n);
}

static void fault_allocator(void)
{
    sqlite3_mem_methods m;

    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem);
    m = sqlite_mem;
    m.xMalloc = fault_malloc;
    m.xRealloc = fault_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

typedef struct fault_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, right after this */
} fault_file;

static sqlite3_vfs *real_vfs;

#define REAL(f) (((fault_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}

static int ff_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int ff_write(sqlite3_file *f, const void *buf, int n,
                    sqlite3_int64 off)
{
    if (mb_fault_pass("io_write", MB_FAULT_ANY))
        return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (mb_fault_pass("io_truncate", MB_FAULT_ANY))
        return SQLITE_IOERR_TRUNCATE;
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int ff_sync(sqlite3_file *f, int flags)
{
    if (mb_fault_pass("io_sync", MB_FAULT_ANY))
        return SQLITE_IOERR_FSYNC;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int ff_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int ff_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int ff_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int ff_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int ff_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int ff_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

/* Version 1 methods: without shared memory (no WAL) and memory mapping,
 * which app-migrate does not use; SQLite falls back without them. */
static const sqlite3_io_methods fault_io = {
    1, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_size, ff_lock,
    ff_unlock, ff_reserved, ff_control, ff_sector, ff_device,
    NULL, NULL, NULL, NULL, NULL, NULL};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
                   int flags, int *out_flags)
{
    fault_file *ff = (fault_file *)f;
    int rc;

    (void)vfs;
    ff->real = (sqlite3_file *)(ff + 1);
    rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
    ff->base.pMethods = ff->real->pMethods != NULL ? &fault_io : NULL;
    return rc;
}

static int fv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    if (mb_fault_pass("io_delete", MB_FAULT_ANY))
        return SQLITE_IOERR_DELETE;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int fv_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int fv_random(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int fv_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int fv_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int fv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int fv_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs fault_vfs = {
    2, 0, 0, NULL, "mb-fault", NULL, fv_open, fv_delete, fv_access, fv_full,
    NULL, NULL, NULL, NULL, fv_random, fv_sleep, fv_time, fv_last_error,
    fv_time64, NULL, NULL, NULL};

static void fault_vfs_register(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (real_vfs == NULL)
        return;
    fault_vfs.szOsFile = (int)sizeof(fault_file) + real_vfs->szOsFile;
    fault_vfs.mxPathname = real_vfs->mxPathname;
    sqlite3_vfs_register(&fault_vfs, 1);
}

void mb_fault_sqlite_setup(void)
{
    fault_allocator();
    fault_vfs_register();
}

#else

/* ISO C wants a translation unit to declare something. */
typedef int mb_fault_sqlite_unused;

#endif

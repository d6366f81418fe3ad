/*
 * mb/fault.h -- fault points, compiled into test builds only.
 *
 * A fault point names a moment of a run where a crash or a failure must
 * leave the database consistent: before each statement, COMMIT, version
 * and log row, lock, connection, inflation and allocation. In a build
 * with MB_FAULT_INJECTION (CMake: MIGBUNDLE_FAULT_INJECTION, which
 * scripts/test.sh turns on), the environment picks one pass through one
 * point:
 *
 *   MB_FAULT=POINT:N[:ACTION]   the N-th pass (from 1) through POINT
 *                               kill: raise SIGKILL there (the default)
 *                               fail: the call fails with an error, as
 *                                     if the database or the allocator
 *                                     had failed (alloc: returns NULL)
 *   MB_FAULT_TRACE=FILE         append each pass's POINT and a newline
 *                               to FILE (how a driver learns the points)
 *
 * Points where a failure cannot be told from the outside world's (a
 * result already computed by the server) honour kill only. In other
 * builds MB_FAULT() is the constant MB_OK and nothing here exists.
 * tests/fault/ walks every point; docs/operations.md lists them.
 */
#ifndef MB_FAULT_H
#define MB_FAULT_H

#include "mb/error.h"

#ifdef MB_FAULT_INJECTION

enum mb_fault_kind { MB_FAULT_ANY = 0, MB_FAULT_KILL_ONLY = 1 };

/** Count a pass through point; 1 when this pass must fail. */
int mb_fault_pass(const char *point, int kind);

/** Fill err for an injected failure at point; returns MB_EDB. */
int mb_fault_error(mb_error *err, const char *point);

/** SQLite's allocator and file I/O as fault points (alloc, io_write,
 * io_sync, io_truncate, io_delete); call before SQLite's first use. */
void mb_fault_sqlite_setup(void);

/* MB_OK, or the error of an injected failure (err filled). */
#define MB_FAULT(point, err)                                              \
    (mb_fault_pass((point), MB_FAULT_ANY) ? mb_fault_error((err), (point)) \
                                          : MB_OK)
/* A point that can only crash. */
#define MB_FAULT_KILL(point) ((void)mb_fault_pass((point), MB_FAULT_KILL_ONLY))

#else

#define MB_FAULT(point, err) ((void)(err), MB_OK)
#define MB_FAULT_KILL(point) ((void)0)

#endif

#endif

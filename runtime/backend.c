/*
 * backend.c -- what every backend shares: choosing one by URL scheme,
 * result sets, timestamps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mb/backend.h"

static const mb_backend *const backends[] = {&mb_backend_sqlite};

void mb_rows_free(mb_rows *r)
{
    size_t i;

    for (i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    r->cells = NULL;
    r->nrows = r->ncols = 0;
}

int mb_backend_for_url(const mb_backend **out, const char *url, mb_error *err)
{
    size_t i;

    for (i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        size_t n = strlen(backends[i]->scheme);
        if (strncmp(url, backends[i]->scheme, n) == 0 && url[n] == ':') {
            *out = backends[i];
            return MB_OK;
        }
    }
    mb_error_set(err, MB_EUSAGE, "unsupported database URL scheme");
    mb_error_hint(err, "use sqlite:PATH or sqlite::memory:");
    return MB_EUSAGE;
}

void mb_now_iso(char out[32])
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%06ldZ", ts.tv_nsec / 1000);
}

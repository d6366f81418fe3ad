/*
 * backend.c -- what every backend shares: choosing one by URL scheme,
 * result sets, timestamps, SQL's quoting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mb/backend.h"

static const struct {
    const char *prefix;
    const mb_backend *backend;
} schemes[] = {
    {"sqlite:", &mb_backend_sqlite},
    {"postgresql://", &mb_backend_postgres},
    {"postgres://", &mb_backend_postgres},
};

void mb_rows_free(mb_rows *r)
{
    free(r->cells);
    r->cells = NULL;
    r->nrows = r->ncols = 0;
    mb_arena_free(&r->text);
}

int mb_backend_for_url(const mb_backend **out, const char *url, mb_error *err)
{
    size_t i;

    for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        if (strncmp(url, schemes[i].prefix, strlen(schemes[i].prefix)) == 0) {
            *out = schemes[i].backend;
            return MB_OK;
        }
    }
    mb_error_set(err, MB_EUSAGE, "unsupported database URL scheme");
    mb_error_hint(err, "use sqlite:PATH, sqlite::memory: or "
                  "postgresql://USER@HOST/DB (postgres:// works too)");
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

/* Append value between two q characters, each q inside it doubled. */
static int sql_quote(mb_buf *out, const char *value, char q, mb_error *err)
{
    const char *p, *e;
    int rc;

    if ((rc = mb_buf_put(out, &q, 1, err)) < 0)
        return rc;
    for (p = value; (e = strchr(p, q)) != NULL; p = e + 1) /* bounded */
        if ((rc = mb_buf_put(out, p, (size_t)(e - p) + 1, err)) < 0 ||
            (rc = mb_buf_put(out, &q, 1, err)) < 0)
            return rc;
    if ((rc = mb_buf_puts(out, p, err)) < 0)
        return rc;
    return mb_buf_put(out, &q, 1, err);
}

int mb_sql_quote_ident(mb_conn *c, mb_buf *out, const char *name,
                       mb_error *err)
{
    (void)c;
    return sql_quote(out, name, '"', err);
}

/* By hand rather than with a client library: a run quotes eight values a
 * revision when it records many at once, and a script has no client. */
int mb_sql_quote_literal(mb_conn *c, mb_buf *out, const char *value,
                         mb_error *err)
{
    (void)c;
    if (value == NULL)
        return mb_buf_puts(out, "NULL", err);
    return sql_quote(out, value, '\'', err);
}

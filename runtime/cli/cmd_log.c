/*
 * cmd_log.c -- `log`: the append-only log table, one line (or JSON
 * object) per row, in the order the rows were written. It opens the
 * database read-only and never writes; a missing log table (or SQLite
 * file) reads as an empty log.
 *
 * --since keeps the rows started at or after an ISO-8601 time, turned
 * here into the UTC text both backends compare with. --revision keeps the
 * rows of the revisions a target names in this bundle (mb_plan_revisions,
 * as `show` resolves it), or of a whole id the bundle no longer holds
 * when the log has rows of it: the log keeps the history of revisions
 * removed since.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mb/alloc.h"
#include "mb/json.h"
#include "mb/plan.h"

/* Read exactly n decimal digits of *p into *out, advancing *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return days[m - 1] + (m == 2 && leap);
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar,
 * counting years from March so that the leap day comes last. */
static long long days_since_epoch(int y, int m, int d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * s as the log's UTC text "YYYY-MM-DDTHH:MM:SS.ffffffZ" into out, or -1.
 * Accepted: DATE, DATE[T| ]HH:MM[:SS[.FRACTION]] and then Z, +HH:MM,
 * -HH:MM, +HHMM, +HH or nothing (UTC). Digits beyond the microsecond are
 * dropped, as the log stores none.
 */
static int parse_since(char out[32], const char *s)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, us = 0, sign = 0, oh = 0, om = 0;
    long long t;
    time_t tt;
    struct tm tm;
    size_t n;

    if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
        *p++ != '-' || digits(&p, 2, &d) < 0)
        return -1;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec) < 0)
                return -1;
            if (*p == '.' || *p == ',') {
                int k;

                p++;
                for (k = 0; k < 9 && *p >= '0' && *p <= '9'; k++, p++)
                    if (k < 6)
                        us = us * 10 + (*p - '0');
                if (k == 0 || (*p >= '0' && *p <= '9'))
                    return -1;
                for (; k < 6; k++)
                    us *= 10;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return -1;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            sign = *p++ == '-' ? -1 : 1;
            if (digits(&p, 2, &oh) < 0)
                return -1;
            if (*p == ':')
                p++;
            if (*p != '\0' && digits(&p, 2, &om) < 0)
                return -1;
            if (oh > 23 || om > 59)
                return -1;
        }
    }
    if (*p != '\0')
        return -1;
    t = days_since_epoch(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
        sign * (oh * 3600 + om * 60);
    tt = (time_t)t;
    if ((long long)tt != t || gmtime_r(&tt, &tm) == NULL ||
        tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
        return -1;
    n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%06dZ", us);
    return 0;
}

/* 1 when s is a whole revision id as the bundle's ids are spelt. */
static int id_like(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789_");
    return n > 0 && n <= MB_ID_MAX && s[n] == '\0';
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The ids --revision keeps, sorted, into *ids (free()), or *ids NULL when
 * every row is kept. A target the bundle cannot resolve is kept as one id
 * when it is spelt like one and the log has rows of it; otherwise the
 * target's error stands.
 */
static int wanted_ids(const mb_cli *cli, const char *spec,
                      const mb_log_rows *log, const char ***ids, size_t *n,
                      mb_error *err)
{
    size_t *revs = NULL, nrevs = 0, i;
    int rc;

    *ids = NULL;
    *n = 0;
    if (spec == NULL)
        return MB_OK;
    rc = mb_plan_revisions(&revs, &nrevs, &cli->graph, NULL, spec, err);
    if (rc == MB_ETARGET && id_like(spec)) {
        for (i = 0; i < log->n; i++)
            if (strcmp(log->rows[i].e.revision, spec) == 0)
                break;
        if (i == log->n) {
            mb_error_hint(err, "\"history\" lists the bundled "
                          "revisions; one removed since is found by its "
                          "whole id, when the log has rows of it");
            return rc;
        }
        mb_error_clear(err);
        if ((*ids = mb_calloc(1, sizeof **ids)) == NULL)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        (*ids)[0] = spec;
        *n = 1;
        return MB_OK;
    }
    if (rc < 0)
        return rc;
    if ((*ids = mb_calloc(nrevs ? nrevs : 1, sizeof **ids)) == NULL) {
        free(revs);
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    }
    for (i = 0; i < nrevs; i++)
        (*ids)[i] = cli->graph.nodes[revs[i]].rev->id;
    qsort(*ids, nrevs, sizeof **ids, by_string);
    *n = nrevs;
    free(revs);
    return MB_OK;
}

static int kept(const mb_log_row *r, const char **ids, size_t n,
                const char *spec)
{
    return spec == NULL ||
           bsearch(&r->e.revision, ids, n, sizeof *ids, by_string) != NULL;
}

/* The first n bytes of s, or all of it when shorter. */
static int prefix_len(const char *s, int n)
{
    int len = (int)strlen(s);

    return len < n ? len : n;
}

/* The error on the row's line: every control character (a newline in a
 * message) printed as a space, so that one row stays one line. */
static void put_one_line(const char *s)
{
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p != '\0'; p++)
        putchar(*p < 0x20 || *p == 0x7f ? ' ' : *p);
}

#define PREFIX 12 /* characters of a checksum or digest shown in text */

static void print_text(const mb_log_rows *log, const char **ids, size_t n,
                       const char *spec)
{
    int w = (int)strlen("REVISION");
    size_t i;

    for (i = 0; i < log->n; i++) {
        int len = (int)strlen(log->rows[i].e.revision);

        if (kept(&log->rows[i], ids, n, spec) && len > w)
            w = len;
    }
    printf("%-27s  %-9s  %-*s  %-10s  %-*s  %-*s  %s\n", "STARTED (UTC)",
           "DIRECTION", w, "REVISION", "OUTCOME", PREFIX, "CHECKSUM", PREFIX,
           "BUNDLE", "ERROR");
    for (i = 0; i < log->n; i++) {
        const mb_log_entry *e = &log->rows[i].e;

        if (!kept(&log->rows[i], ids, n, spec))
            continue;
        printf("%-27s  %-9s  %-*s  %-10s  %-*.*s  %-*.*s", e->started_at,
               e->direction, w, e->revision, e->outcome, PREFIX,
               prefix_len(e->checksum, PREFIX), e->checksum, PREFIX,
               prefix_len(e->bundle_digest, PREFIX), e->bundle_digest);
        if (e->error != NULL) {
            fputs("  ", stdout);
            put_one_line(e->error);
        }
        putchar('\n');
    }
}

static void print_json(const mb_log_rows *log, const char **ids, size_t n,
                       const char *spec)
{
    size_t i, shown = 0;

    fputs("{\"log\": [", stdout);
    for (i = 0; i < log->n; i++) {
        const mb_log_row *r = &log->rows[i];

        if (!kept(r, ids, n, spec))
            continue;
        printf("%s\n  {\"id\": %s", shown ? "," : "",
               strspn(r->id, "0123456789") == strlen(r->id) && r->id[0]
                   ? r->id : "null");
        mb_json_member(stdout, 0, "revision", r->e.revision);
        mb_json_member(stdout, 0, "direction", r->e.direction);
        mb_json_member(stdout, 0, "outcome", r->e.outcome);
        mb_json_member(stdout, 0, "started_at", r->e.started_at);
        mb_json_member(stdout, 0, "finished_at", r->e.finished_at);
        mb_json_member(stdout, 0, "checksum", r->e.checksum);
        mb_json_member(stdout, 0, "bundle_digest", r->e.bundle_digest);
        mb_json_member(stdout, 0, "error", r->e.error);
        fputs("}", stdout);
        shown++;
    }
    printf("%s], \"rows\": %zu}\n", shown ? "\n" : "", shown);
}

int cmd_log(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    mb_log_rows log = MB_LOG_ROWS_INIT;
    const char **ids = NULL;
    char since[32];
    size_t n = 0;
    mb_session s;
    int rc, opened = 0;

    if (cli->since != NULL && parse_since(since, cli->since) < 0) {
        rc = mb_error_set(&err, MB_EUSAGE, "invalid --since \"%s\"",
                          cli->since);
        mb_error_hint(&err, "give an ISO-8601 date or time: 2026-05-01, "
                      "2026-05-01T12:00:00Z or 2026-05-01T14:00+02:00 "
                      "(no offset: UTC)");
        goto done;
    }
    if ((rc = cli_graph(cli, &err)) < 0 ||
        (rc = cli_open(cli, &s, &err)) < 0)
        goto done;
    opened = 1;
    if ((rc = mb_vtable_read_log(&s.vt, cli->since ? since : NULL, &log,
                                 &err)) < 0 ||
        (rc = wanted_ids(cli, cli->log_revision, &log, &ids, &n, &err)) < 0)
        goto done;
    if (cli->json)
        print_json(&log, ids, n, cli->log_revision);
    else
        print_text(&log, ids, n, cli->log_revision);
done:
    if (opened)
        cli_close(&s);
    free(ids);
    mb_log_rows_free(&log);
    return cli_fail(cli, rc, &err);
}

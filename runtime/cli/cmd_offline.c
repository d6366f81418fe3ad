/*
 * cmd_offline.c -- `up`, `down` and `stamp` with --sql: the script of the
 * run (mb/offline.h) on stdout; no database is opened.
 *
 * Arguments, as in Alembic's offline mode: `up [START:]END` (START
 * defaults to base, END to heads), `down START:END` (START is required;
 * END defaults to -1), `stamp [START:]TARGET...` (a START given on
 * several targets must be the same). The dialect is --dialect's, else
 * the scheme of the database URL (-d, $DATABASE_URL, the bundled
 * default). The bundle is self-checked first, as for a run, and the
 * whole script is built before a byte of it is printed: a refusal prints
 * nothing on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mb/offline.h"
#include "mb/plan.h"
#include "mb/url.h"

#define RANGE_MAX 255 /* characters of START */

/*
 * Split arg at its ":" into start (copied; "" when empty or absent) and
 * *end (inside arg; NULL when arg has no ":"). *colon = 1 when it has one.
 */
static int split_range(char start[RANGE_MAX + 1], const char **end,
                       const char *arg, mb_error *err)
{
    const char *colon = strchr(arg, ':');

    start[0] = '\0';
    *end = arg;
    if (colon == NULL)
        return MB_OK;
    if (strchr(colon + 1, ':') != NULL || (size_t)(colon - arg) > RANGE_MAX) {
        mb_error_set(err, MB_EUSAGE, "invalid range \"%s\": give START:END",
                     arg);
        mb_error_hint(err, "START is the revision the database is at (or "
                      "base), END the target");
        return MB_EUSAGE;
    }
    memcpy(start, arg, (size_t)(colon - arg));
    start[colon - arg] = '\0';
    *end = colon + 1;
    return MB_OK;
}

/* The script's dialect: --dialect, else the database URL's (not opened). */
static int script_dialect(const mb_cli *cli, int *out, mb_error *err)
{
    const mb_backend *be;
    int rc;

    *out = cli->dialect;
    if (cli->dialect == MB_DIALECT_ANY) {
        if (cli->db == NULL || cli->db[0] == '\0') {
            mb_error_set(err, MB_EUSAGE, "--sql needs a dialect");
            mb_error_hint(err, "give --dialect postgresql or --dialect "
                          "sqlite (or a database URL: --sql does not open "
                          "it)");
            return MB_EUSAGE;
        }
        if ((rc = mb_backend_for_url(&be, cli->db, err)) < 0) {
            char shown[512];

            mb_url_redact(shown, sizeof shown, cli->db);
            mb_error_detail(err, "database URL: %s", shown);
            return rc;
        }
        *out = be->dialect;
    }
    return cli_check_schema(cli, *out, err);
}

/* up and down: one argument, [START:]END. */
static int migrate(mb_cli *cli, mb_buf *out, const mb_offline *o,
                   int direction, mb_error *err)
{
    char start[RANGE_MAX + 1];
    const char *end = NULL, *arg = cli->nargs > 0 ? cli->args[0] : "";
    size_t steps;
    int rc;

    if ((rc = split_range(start, &end, arg, err)) < 0)
        return rc;
    if (direction == MB_DOWN && start[0] == '\0') {
        mb_error_set(err, MB_EUSAGE, "down --sql needs START:END");
        mb_error_hint(err, "START is the revision the database is at, END "
                      "the target, e.g. \"down --sql REV:base\" (as "
                      "Alembic's downgrade --sql)");
        return MB_EUSAGE;
    }
    if (end[0] == '\0')
        end = direction == MB_UP ? "heads" : "-1";
    if ((rc = mb_offline_migrate(out, o, direction, start[0] ? start : NULL,
                                 end, &steps, err)) < 0)
        return rc;
    if (!cli->quiet)
        fprintf(stderr, "%s: the SQL to %s %zu revision%s from %s to %s "
                "(%s); nothing was run\n", cli->prog,
                direction == MB_UP ? "apply" : "roll back", steps,
                steps == 1 ? "" : "s", start[0] ? start : "base", end,
                cli_dialect_name(o->dialect));
    return MB_OK;
}

/* stamp: [START:]TARGET..., every START given the same. */
static int stamp(mb_cli *cli, mb_buf *out, const mb_offline *o,
                 mb_error *err)
{
    char start[RANGE_MAX + 1], other[RANGE_MAX + 1];
    const char *targets[64];
    size_t n = 0, changes;
    int i, rc;

    start[0] = '\0';
    for (i = 0; i < cli->nargs && i < 64; i++) {
        if ((rc = split_range(other, &targets[n], cli->args[i], err)) < 0)
            return rc;
        if (targets[n][0] == '\0') {
            mb_error_set(err, MB_EUSAGE, "\"%s\" names no stamp target",
                         cli->args[i]);
            mb_error_hint(err, "give START:TARGET, or TARGET alone from "
                          "base");
            return MB_EUSAGE;
        }
        if (other[0] != '\0' && start[0] != '\0' &&
            strcmp(other, start) != 0) {
            mb_error_set(err, MB_EUSAGE, "stamp --sql has two starts, %s "
                         "and %s", start, other);
            mb_error_hint(err, "a script starts from one revision; give it "
                          "once, or the same on every target");
            return MB_EUSAGE;
        }
        if (other[0] != '\0')
            memcpy(start, other, sizeof start);
        n++;
    }
    if ((rc = mb_offline_stamp(out, o, start[0] ? start : NULL, targets, n,
                               &changes, err)) < 0)
        return rc;
    if (!cli->quiet)
        fprintf(stderr, "%s: the SQL of a stamp from %s: %zu version row%s "
                "change (%s); nothing was run\n", cli->prog,
                start[0] ? start : "base", changes, changes == 1 ? "" : "s",
                cli_dialect_name(o->dialect));
    return MB_OK;
}

int cli_offline(mb_cli *cli, int direction)
{
    mb_error err = MB_ERROR_INIT;
    mb_buf out = MB_BUF_INIT;
    mb_offline o = {cli->bundle, &cli->graph, 0, cli->schema,
                    cli->version_table, cli->log_table, cli->lock_timeout,
                    cli->prog, cli->single};
    int rc;

    if ((rc = script_dialect(cli, &o.dialect, &err)) < 0 ||
        (rc = cli_graph(cli, &err)) < 0)
        goto done;
    rc = direction == MB_STAMP ? stamp(cli, &out, &o, &err)
                               : migrate(cli, &out, &o, direction, &err);
    if (rc == MB_OK && out.len > 0 &&
        fwrite(out.ptr, 1, out.len, stdout) != out.len)
        rc = mb_error_set(&err, MB_ERROR, "could not write the script to "
                          "stdout");
done:
    mb_buf_free(&out);
    return cli_fail(cli, rc, &err);
}

/*
 * cmd_migrate.c -- `up` and `down`.
 *
 * Both self-check the embedded bundle before touching the database, then
 * hand over to mb_migrate(), which checks the version table against the
 * bundle before any SQL runs. `resolve` settles an unfinished
 * transaction:false section after an operator fixed the database.
 */
#include "cli.h"
#include "mb/plan.h"

enum action { DO_UP, DO_DOWN, DO_RESOLVE };

/* Check the bundle, open the database for writing, and act. */
static int writing(mb_cli *cli, enum action what)
{
    mb_error err = MB_ERROR_INIT;
    mb_report rep = MB_REPORT_INIT;
    mb_session s;
    mb_ctx ctx;
    int rc, opened = 0;

    if ((rc = cli_selfcheck(cli, &rep, &err)) < 0 ||
        (rc = cli_graph(cli, &err)) < 0 ||
        (rc = cli_open(cli, &s, 0, &err)) < 0)
        goto done;
    opened = 1;
    ctx = (mb_ctx){cli->bundle, &cli->graph, s.be, s.conn, &s.vt, cli->prog,
                   cli->quiet, what != DO_RESOLVE && cli->single, 0, NULL};
    if (what == DO_RESOLVE)
        rc = mb_resolve(&ctx, cli->args[0], cli->resolution, &err);
    else
        rc = mb_migrate(&ctx, what == DO_UP ? MB_UP : MB_DOWN,
                        cli->nargs > 0 ? cli->args[0]
                                       : what == DO_UP ? "heads" : "-1",
                        &rep, &err);
done:
    if (opened)
        cli_close(&s);
    rc = cli_fail(cli, rc, &err);
    cli_print_report(cli, &rep);
    mb_report_free(&rep);
    return rc;
}

int cmd_up(mb_cli *cli)
{
    return writing(cli, DO_UP);
}

int cmd_down(mb_cli *cli)
{
    return writing(cli, DO_DOWN);
}

int cmd_resolve(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;

    if (cli->resolution == -1) {
        mb_error_set(&err, MB_EUSAGE, "resolve needs --applied or "
                     "--rolled-back");
        mb_error_hint(&err, "--applied: the section's changes are in place "
                      "(finished by hand); --rolled-back: they were undone");
        return cli_fail(cli, MB_EUSAGE, &err);
    }
    return writing(cli, DO_RESOLVE);
}

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

static int migrate(mb_cli *cli, int direction, const char *dflt)
{
    const char *target = cli->nargs > 0 ? cli->args[0] : dflt;
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
                   cli->quiet, cli->single, 0, NULL};
    rc = mb_migrate(&ctx, direction, target, &rep, &err);
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
    return migrate(cli, MB_UP, "heads");
}

int cmd_down(mb_cli *cli)
{
    return migrate(cli, MB_DOWN, "-1");
}

int cmd_resolve(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    mb_report rep = MB_REPORT_INIT;
    mb_session s;
    mb_ctx ctx;
    int rc, opened = 0;

    if (cli->resolution == -1) {
        mb_error_set(&err, MB_EUSAGE, "resolve needs --applied or "
                     "--rolled-back");
        mb_error_hint(&err, "--applied: the section's changes are in place "
                      "(finished by hand); --rolled-back: they were undone");
        return cli_fail(cli, MB_EUSAGE, &err);
    }
    if ((rc = cli_selfcheck(cli, &rep, &err)) < 0 ||
        (rc = cli_graph(cli, &err)) < 0 ||
        (rc = cli_open(cli, &s, 0, &err)) < 0)
        goto done;
    opened = 1;
    ctx = (mb_ctx){cli->bundle, &cli->graph, s.be, s.conn, &s.vt, cli->prog,
                   cli->quiet, 0, 0, NULL};
    rc = mb_resolve(&ctx, cli->args[0], cli->resolution, &err);
done:
    if (opened)
        cli_close(&s);
    rc = cli_fail(cli, rc, &err);
    cli_print_report(cli, &rep);
    mb_report_free(&rep);
    return rc;
}

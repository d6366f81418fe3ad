/*
 * cmd_migrate.c -- `up`, `down` and `stamp` (with --sql: cmd_offline.c).
 *
 * Both self-check the embedded bundle before touching the database, then
 * hand over to mb_migrate(), which checks the version table against the
 * bundle before any SQL runs. `resolve` settles an unfinished
 * transaction:false section after an operator fixed the database.
 *
 * SIGTERM, SIGINT and SIGHUP, once the database is open: the first one
 * interrupts the statement that runs (the backend's interrupt()) and
 * asks the run to stop; the revision it cut short rolls back and is
 * logged `failed`, the error is printed, and the process then dies of
 * that same signal, as a shell expects of a program it interrupted. A
 * second signal, or one that comes before the database is open (nothing
 * written yet), kills at once.
 */
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "mb/plan.h"

static volatile sig_atomic_t caught;
static const mb_backend *volatile sig_be;
static mb_conn *volatile sig_conn;

static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP};
static int installed[3]; /* 1: our handler is on stop_signals[i] */

static void die_of(int sig)
{
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_stop_signal(int sig)
{
    if (caught != 0 || sig_conn == NULL) {
        die_of(sig);
        return;
    }
    caught = sig;
    sig_be->interrupt(sig_conn);
}

/*
 * Install (on) or remove the handlers; no SA_RESTART, so that waits
 * return at once. A signal ignored when the program started (nohup, a
 * background job's SIGINT) stays ignored.
 */
static void stop_handlers(int on)
{
    struct sigaction sa, old;
    size_t i;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_stop_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++) {
        if (on && (sigaction(stop_signals[i], NULL, &old) != 0 ||
                   old.sa_handler == SIG_IGN))
            continue;
        if (!on && !installed[i])
            continue;
        if (sigaction(stop_signals[i], &sa, NULL) == 0)
            installed[i] = on;
    }
}

enum action { DO_UP, DO_DOWN, DO_STAMP, DO_RESOLVE };

/* Open the database for writing and act (run() checked the bundle). */
static int writing(mb_cli *cli, enum action what)
{
    mb_error err = MB_ERROR_INIT;
    mb_report rep = MB_REPORT_INIT;
    mb_session s;
    mb_ctx ctx;
    int rc, opened = 0;

    stop_handlers(1);
    if ((rc = cli_graph(cli, &err)) < 0 ||
        (rc = cli_open(cli, &s, &err)) < 0)
        goto done;
    opened = 1;
    ctx = cli_context(cli, &s);
    ctx.single = (what == DO_UP || what == DO_DOWN) && cli->single;
    ctx.stop = &caught;
    if (what == DO_UP || what == DO_DOWN)
        ctx.drift = cli->strict ? MB_DRIFT_REFUSE : MB_DRIFT_WARN;
    sig_be = s.be;
    sig_conn = s.conn;
    if (what == DO_RESOLVE)
        rc = mb_resolve(&ctx, cli->args[0], cli->resolution, &err);
    else if (what == DO_STAMP)
        rc = mb_stamp(&ctx, (const char *const *)cli->args,
                      (size_t)cli->nargs, cli->purge, &rep, &err);
    else
        rc = mb_migrate(&ctx, what == DO_UP ? MB_UP : MB_DOWN,
                        cli->nargs > 0 ? cli->args[0]
                                       : what == DO_UP ? "heads" : "-1",
                        &rep, &err);
done:
    sig_conn = NULL; /* from here a signal kills at once */
    if (opened)
        cli_close(&s);
    rc = cli_fail(cli, rc, &err);
    cli_print_report(cli, &rep);
    mb_report_free(&rep);
    if (caught != 0) {
        fflush(stdout);
        die_of(caught);
    }
    stop_handlers(0);
    return rc;
}

int cmd_up(mb_cli *cli)
{
    return cli->sql ? cli_offline(cli, MB_UP) : writing(cli, DO_UP);
}

int cmd_down(mb_cli *cli)
{
    return cli->sql ? cli_offline(cli, MB_DOWN) : writing(cli, DO_DOWN);
}

int cmd_stamp(mb_cli *cli)
{
    return cli->sql ? cli_offline(cli, MB_STAMP) : writing(cli, DO_STAMP);
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

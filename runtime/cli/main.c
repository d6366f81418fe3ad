/*
 * main.c -- app-migrate's entry point: the option and command tables, and
 * what every command shares (graph, self-check, opening the database).
 *
 * The two tables are the CLI: getopt's table, the "takes a value" test,
 * --help, and which options each command accepts all derive from them.
 * run() parses (getopt into raw values), validates (values into mb_cli,
 * each option against the command's row), then dispatches.
 *
 * Options may appear before or after the command. A relative target such
 * as -1 looks like an option to getopt, so arguments of the form -DIGITS
 * are set aside before parsing and handed back as positional arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mb/alloc.h"
#include "mb/exe.h"
#include "mb/sign.h"
#include "mb/plan.h"
#include "mb/url.h"

extern const mb_bundle mb_embedded_bundle;

typedef struct cli_option {
    const char *name;  /* long name */
    char short_name;   /* 0: none */
    const char *value; /* name of its value in --help; NULL: takes none */
    const char *help;  /* --help text; "\n" continues the column */
    double dflt;       /* > 0: shown as "(default: N)" after the help */
} cli_option;

static const cli_option options[N_OPTS] = {
    [OPT_DB] = {"db", 'd', "URL", "database: sqlite:PATH, sqlite::memory: or\n"
                "postgresql://... (any libpq URL)\n"
                "(default: $DATABASE_URL, else the bundled default)"},
    [OPT_FORMAT] = {"format", 0, "FORMAT", "text (default) or json, for the "
                    "read commands"},
    [OPT_LOCK_TIMEOUT] = {"lock-timeout", 0, "SECONDS", "wait at most this "
                          "long for another run's lock",
                          MB_DEFAULT_LOCK_TIMEOUT},
    [OPT_WAIT] = {"wait", 0, "SECONDS", "keep retrying while the database "
                  "refuses connections\nor is starting (default: 0)"},
    [OPT_SINGLE] = {"single-transaction", 0, NULL, "up, down: one "
                    "transaction for the run (all or nothing)"},
    [OPT_GROUP_COMMIT] = {"group-commit", 0, "SECONDS", "up, down on SQLite: "
                          "commit revisions in groups at\nmost this long "
                          "(each in a savepoint; 0: a commit per\nrevision)",
                          MB_DEFAULT_GROUP_COMMIT},
    [OPT_SCHEMA] = {"schema", 0, "NAME", "PostgreSQL schema of the version "
                    "and log tables"},
    [OPT_VERSION_TABLE] = {"version-table", 0, "NAME", "version table "
                           "(default: " MB_VERSION_TABLE ")"},
    [OPT_LOG_TABLE] = {"log-table", 0, "NAME", "log table (default: "
                       MB_LOG_TABLE ")"},
    [OPT_PURGE] = {"purge", 0, NULL, "stamp: forget every recorded revision "
                   "first"},
    [OPT_APPLIED] = {"applied", 0, NULL, "resolve: the section's changes "
                     "are in place"},
    [OPT_ROLLED_BACK] = {"rolled-back", 0, NULL, "resolve: the section's "
                         "changes were undone"},
    [OPT_REV_RANGE] = {"rev-range", 'r', "RANGE", "history: only the "
                       "revisions from A up to B (A:B, A:, :B)"},
    [OPT_INDICATE_CURRENT] = {"indicate-current", 'i', NULL, "history: mark "
                              "the applied heads (current)\n(opens the "
                              "database read-only)"},
    [OPT_VERBOSE] = {"verbose", 'v', NULL, "history, current, heads, "
                     "branches: every detail"},
    [OPT_SQL] = {"sql", 0, NULL, "up, down, stamp: print the SQL the run "
                 "would execute,\nopen no database; TARGET is then "
                 "[START:]END\n(down: START:END)"},
    [OPT_DOWN] = {"down", 0, NULL, "sql: the down section instead of the "
                  "up section"},
    [OPT_DIALECT] = {"dialect", 0, "DIALECT", "postgresql or sqlite; sql: the "
                     "section that runs there\n(default: every section); "
                     "--sql: the script's\n(default: the database URL's)"},
    [OPT_SINCE] = {"since", 0, "TIME", "log: only the rows started at or "
                   "after TIME\n(ISO-8601 date or time; no offset: UTC)"},
    [OPT_REVISION] = {"revision", 0, "REV", "log: only the rows of the "
                      "revisions REV names\n(or of a whole id no longer "
                      "bundled)"},
    [OPT_QUIET] = {"quiet", 'q', NULL, "no progress lines on stderr"},
    [OPT_DRIFT] = {"drift", 0, NULL, "verify: compare the schema with the "
                   "fingerprint\nrecorded at the current heads"},
    [OPT_STRICT] = {"strict", 0, NULL, "up, down: refuse to run on schema "
                    "drift (default: warn)"},
    [OPT_EXPECT_DIGEST] = {"expect-digest", 0, "HEX", "verify: fail "
                           "(exit 3) unless the bundle digest is HEX"},
    [OPT_KEY] = {"key", 0, "PUB.pem", "verify, up, down, stamp: fail (exit 3) "
                 "unless the\nrelease is signed by this Ed25519 public key"},
    [OPT_HELP] = {"help", 'h', NULL, "show this help and exit"},
    [OPT_VERSION] = {"version", 'V', NULL, "show the version and exit"},
};

/* Options every command takes. */
#define GLOBAL_OPTS                                                         \
    (OPTBIT(OPT_DB) | OPTBIT(OPT_FORMAT) | OPTBIT(OPT_LOCK_TIMEOUT) |       \
     OPTBIT(OPT_WAIT) | OPTBIT(OPT_SCHEMA) | OPTBIT(OPT_VERSION_TABLE) |    \
     OPTBIT(OPT_LOG_TABLE) | OPTBIT(OPT_QUIET) | OPTBIT(OPT_HELP) |         \
     OPTBIT(OPT_VERSION))
#define MIGRATE_OPTS (OPTBIT(OPT_SINGLE) | OPTBIT(OPT_GROUP_COMMIT))
/* --sql and what only it gives a meaning to, on up, down and stamp */
#define SQL_OPTS (OPTBIT(OPT_SQL) | OPTBIT(OPT_DIALECT))
/* The options that mean something with --sql, which opens nothing: the
 * URL names the dialect, the lock timeout and --single-transaction shape
 * the script; the others are about a connection or a run (docs/cli.md). */
#define OFFLINE_OPTS                                                        \
    (SQL_OPTS | OPTBIT(OPT_DB) | OPTBIT(OPT_LOCK_TIMEOUT) |                 \
     OPTBIT(OPT_SINGLE) |                                                   \
     OPTBIT(OPT_SCHEMA) | OPTBIT(OPT_VERSION_TABLE) |                       \
     OPTBIT(OPT_LOG_TABLE) | OPTBIT(OPT_QUIET) | OPTBIT(OPT_HELP) |         \
     OPTBIT(OPT_VERSION) | OPTBIT(OPT_KEY))

static const mb_command commands[] = {
    {"up", NULL, cmd_up, "[TARGET]", "apply revisions up to TARGET "
     "(default: heads)", 0, 1,
     MIGRATE_OPTS | SQL_OPTS | OPTBIT(OPT_STRICT) | OPTBIT(OPT_KEY), 0,
     CLI_DB_WRITE},
    {"upgrade", "up", NULL, "", "", 0, 0, 0, 0, CLI_NO_DB},
    {"down", NULL, cmd_down, "[TARGET]", "roll back to TARGET (default: -1)",
     0, 1, MIGRATE_OPTS | SQL_OPTS | OPTBIT(OPT_STRICT) | OPTBIT(OPT_KEY), 0,
     CLI_DB_WRITE},
    {"downgrade", "down", NULL, "", "", 0, 0, 0, 0, CLI_NO_DB},
    {"stamp", NULL, cmd_stamp, "TARGET...", "record TARGET as applied "
     "without running any SQL", 1, 64,
     OPTBIT(OPT_PURGE) | SQL_OPTS | OPTBIT(OPT_KEY), 0, CLI_DB_WRITE},
    {"current", NULL, cmd_current, "", "show the applied heads", 0, 0,
     OPTBIT(OPT_VERBOSE), 1, CLI_DB_READ},
    {"history", NULL, cmd_history, "", "show the revision graph, newest "
     "first", 0, 0, OPTBIT(OPT_REV_RANGE) | OPTBIT(OPT_INDICATE_CURRENT) |
     OPTBIT(OPT_VERBOSE), 1, CLI_NO_DB},
    {"heads", NULL, cmd_heads, "", "show the heads of the revision graph",
     0, 0, OPTBIT(OPT_VERBOSE), 1, CLI_NO_DB},
    {"branches", NULL, cmd_branches, "", "show the branch points and their "
     "branches", 0, 0, OPTBIT(OPT_VERBOSE), 1, CLI_NO_DB},
    {"show", NULL, cmd_show, "REV", "show a revision (and whether it is "
     "applied)", 1, 1, 0, 1, CLI_NO_DB},
    {"sql", NULL, cmd_sql, "REV", "print a revision's embedded SQL", 1, 1,
     OPTBIT(OPT_DOWN) | OPTBIT(OPT_DIALECT), 1, CLI_NO_DB},
    {"verify", NULL, cmd_verify, "", "check the bundle and the applied "
     "checksums", 0, 0, OPTBIT(OPT_DRIFT) | OPTBIT(OPT_EXPECT_DIGEST) |
     OPTBIT(OPT_KEY), 1,
     CLI_DB_READ},
    {"log", NULL, cmd_log, "", "show the migration log, oldest first", 0,
     0, OPTBIT(OPT_SINCE) | OPTBIT(OPT_REVISION), 1, CLI_DB_READ},
    {"manifest", NULL, cmd_manifest, "", "list the embedded revisions and "
     "checksums", 0, 0, 0, 1, CLI_NO_DB},
    {"resolve", NULL, cmd_resolve, "REV --applied|--rolled-back", "record "
     "how an unfinished transaction:false section was settled by hand", 1,
     1, OPTBIT(OPT_APPLIED) | OPTBIT(OPT_ROLLED_BACK), 0, CLI_DB_WRITE},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const mb_command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].alias_of ? find_command(commands[i].alias_of)
                                        : &commands[i];
    return NULL;
}

/* "  -d, --db=URL" with its help, continuation lines indented. */
static void option_usage(const cli_option *o)
{
    char head[64], text[256];
    const char *h = text;

    if (o->short_name)
        snprintf(head, sizeof head, "  -%c, --%s%s%s", o->short_name, o->name,
                 o->value ? "=" : "", o->value ? o->value : "");
    else
        snprintf(head, sizeof head, "      --%s%s%s", o->name,
                 o->value ? "=" : "", o->value ? o->value : "");
    if (o->dflt > 0)
        snprintf(text, sizeof text, "%s (default: %g)", o->help, o->dflt);
    else
        snprintf(text, sizeof text, "%s", o->help);
    if (strlen(head) > 26)
        printf("%s\n%27s", head, "");
    else
        printf("%-27s", head);
    while (*h != '\0') {
        int n = (int)strcspn(h, "\n");
        printf("%.*s\n", n, h);
        h += n;
        if (*h == '\n' && *++h != '\0')
            printf("%27s", "");
    }
}

static void usage(const char *prog, const mb_bundle *b)
{
    size_t i;

    printf("%s migrates a database to the revisions bundled into it\n"
           "(%u revisions, bundle %.12s, built by %s).\n\n", prog,
           b->n_revisions, b->digest, b->generator);
    printf("Usage:\n  %s [OPTION]... COMMAND [TARGET]\n\nCommands:\n", prog);
    for (i = 0; i < N_COMMANDS; i++) {
        if (commands[i].alias_of)
            printf("  %-10s %-9s alias of %s\n", commands[i].name, "",
                   commands[i].alias_of);
        else if (strlen(commands[i].args) > 9)
            printf("  %-10s %s\n%13s%s\n", commands[i].name,
                   commands[i].args, "", commands[i].summary);
        else
            printf("  %-10s %-9s %s\n", commands[i].name, commands[i].args,
                   commands[i].summary);
    }
    printf("\nTargets: head, heads, base, a revision id, a unique prefix "
           "of one or a branch\nlabel, +N (up), -N (down), REV+N, REV-N, "
           "LABEL@head, LABEL@base,\nLABEL@REV, LABEL@+N, LABEL@-N "
           "(see docs/graph.md).\n");
    printf("\nOptions:\n");
    for (i = 0; i < N_OPTS; i++)
        option_usage(&options[i]);
    printf("\nExit status: 0 success; 1 database or SQL error, lock "
           "timeout, connection\nfailure; 2 usage or target error; 3 "
           "integrity error (checksum mismatch,\nunknown applied revision, "
           "corrupt bundle, unfinished transaction:false\nsection).\n");
}

static void command_usage(const char *prog, const mb_command *c)
{
    printf("Usage:\n  %s [OPTION]... %s %s\n\n%s.\n", prog, c->name, c->args,
           c->summary);
    printf("\nSee \"%s --help\" for the options and targets.\n", prog);
}

static int usage_error(const char *prog, const char *fmt, ...)
    MB_PRINTF(2, 3);

static int usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: error: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s: hint: Try \"%s --help\" for more information.\n",
            prog, prog);
    return MB_EXIT_USAGE;
}

int cli_exit_code(int rc)
{
    switch (rc) {
    case MB_OK: return MB_EXIT_OK;
    case MB_EUSAGE:
    case MB_ETARGET: return MB_EXIT_USAGE;
    case MB_EINTEGRITY:
    case MB_EPARSE:
    case MB_EGRAPH: return MB_EXIT_INTEGRITY;
    default: return MB_EXIT_DB;
    }
}

int cli_fail(const mb_cli *cli, int rc, const mb_error *err)
{
    if (rc < 0)
        mb_error_print(err, cli->prog, stderr);
    return cli_exit_code(rc);
}

void cli_report_lines(FILE *fp, const char *prefix, const mb_report *rep)
{
    const char *p = rep->text.ptr;

    while (p != NULL && *p != '\0') {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);

        fprintf(fp, "%s%.*s\n", prefix, n, p);
        p += n + (nl != NULL);
    }
}

/*
 * The runtime's log callback (mb/log.h): each message on stderr behind
 * "PROG: ", a warning behind "PROG: warning: ", and with -q the warnings
 * only. One fprintf per message, so that a line is written whole.
 */
static void cli_log(void *arg, int level, const char *msg)
{
    const mb_cli *cli = arg;

    if (level == MB_LOG_WARNING)
        fprintf(stderr, "%s: warning: %s\n", cli->prog, msg);
    else if (!cli->quiet)
        fprintf(stderr, "%s: %s\n", cli->prog, msg);
}

/* The logger of everything the library reports for this invocation. */
static mb_logger cli_logger(mb_cli *cli)
{
    return (mb_logger){cli_log, cli};
}

void cli_print_report(const mb_cli *cli, const mb_report *rep)
{
    char prefix[128];

    snprintf(prefix, sizeof prefix, "%s: detail: ", cli->prog);
    cli_report_lines(stderr, prefix, rep);
}

int cli_graph(mb_cli *cli, mb_error *err)
{
    int rc = mb_graph_build(&cli->graph, cli->bundle->revisions,
                            cli->bundle->n_revisions, err);

    if (rc == MB_EGRAPH || rc == MB_EPARSE) {
        mb_error_hint(err, "the embedded revision graph is invalid; the "
                      "executable is damaged");
        err->code = MB_EINTEGRITY;
        return MB_EINTEGRITY;
    }
    if (rc < 0)
        return rc;
    return mb_graph_text_init(&cli->gt, &cli->graph, stdout, err);
}

int cli_selfcheck(mb_cli *cli, mb_report *rep, mb_error *err)
{
    int rc;

    /* a truncated file may lack payload pages: touch none of them then */
    if ((rc = mb_exe_check(rep, err)) == MB_OK && rep->count == 0)
        rc = mb_bundle_selfcheck(cli->bundle, MB_SELFCHECK_STORED, rep, err);
    if (rc == MB_OK && rep->count > 0) {
        mb_error_set(err, MB_EINTEGRITY, "the embedded bundle is corrupt: "
                     "%zu problem%s; nothing was run", rep->count,
                     rep->count == 1 ? "" : "s");
        mb_error_hint(err, "rebuild or re-download this executable");
        return MB_EINTEGRITY;
    }
    return rc;
}

/*
 * --key on a command that writes: the release must be signed by that key
 * (mb_signature_check()); else MB_EINTEGRITY, nothing run, the problems
 * in rep. A key file that cannot be used is a usage error.
 */
static int require_key(mb_cli *cli, mb_report *rep, mb_error *err)
{
    mb_signature_state st;
    mb_pubkey key;
    int rc;

    if ((rc = mb_pubkey_read(&key, cli->key, err)) < 0 ||
        (rc = mb_signature_check(cli->bundle, &key, &st, rep, err)) < 0)
        return rc;
    if (rep->count == 0)
        return MB_OK;
    mb_error_set(err, MB_EINTEGRITY, "this release is not signed by the key "
                 "%s names (%s); nothing was run", cli->key,
                 key.fingerprint);
    mb_error_hint(err, "run the release signed by that key, or check which "
                  "key signed this one: %s manifest", cli->prog);
    return MB_EINTEGRITY;
}

/* cli_selfcheck() for run(): its problems on stderr, exit 3 on any. */
static int checked(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    mb_report rep = MB_REPORT_INIT;
    int rc = cli_selfcheck(cli, &rep, &err);

    /* up, down, stamp --key: the site's own releases only */
    if (rc == MB_OK && cli->key != NULL)
        rc = require_key(cli, &rep, &err);
    rc = cli_fail(cli, rc, &err);
    cli_print_report(cli, &rep);
    mb_report_free(&rep);
    return rc;
}

int cli_check_schema(const mb_cli *cli, int dialect, mb_error *err)
{
    if (cli->schema != NULL && dialect != MB_DIALECT_POSTGRESQL) {
        mb_error_set(err, MB_EUSAGE, "--schema is for PostgreSQL databases");
        mb_error_hint(err, "on SQLite, choose the tables with "
                      "--version-table and --log-table");
        return MB_EUSAGE;
    }
    return MB_OK;
}

int cli_open(mb_cli *cli, mb_session *s, mb_error *err)
{
    mb_connect_opts o = {.readonly = cli->cmd->access != CLI_DB_WRITE,
                         .lock_timeout = cli->lock_timeout,
                         .wait = cli->wait, .prog = cli->prog,
                         .log = cli_logger(cli)};
    int rc;

    memset(s, 0, sizeof *s);
    if (cli->db == NULL || cli->db[0] == '\0') {
        mb_error_set(err, MB_EUSAGE, "no database given");
        mb_error_hint(err, "pass -d URL or set DATABASE_URL (e.g. "
                      "sqlite:app.db)");
        return MB_EUSAGE;
    }
    if ((rc = mb_backend_for_url(&s->be, cli->db, err)) < 0 ||
        (rc = cli_check_schema(cli, s->be->dialect, err)) < 0 ||
        (rc = s->be->connect(&s->conn, cli->db, &o, err)) < 0 ||
        (rc = mb_vtable_init(&s->vt, s->be, s->conn, cli->schema,
                             cli->version_table, cli->log_table, err)) < 0) {
        if (rc == MB_EUSAGE || rc == MB_EDB) {
            char shown[512], prior[sizeof err->detail];

            mb_url_redact(shown, sizeof shown, cli->db);
            memcpy(prior, err->detail, sizeof prior);
            mb_error_detail(err, "%s%sdatabase URL: %s", prior,
                            prior[0] ? "\n" : "", shown);
        }
        cli_close(s);
        return rc;
    }
    s->vt_ready = 1;
    return MB_OK;
}

mb_ctx cli_context(mb_cli *cli, mb_session *s)
{
    return (mb_ctx){.bundle = cli->bundle, .graph = &cli->graph,
                    .be = s->be, .conn = s->conn, .vt = &s->vt,
                    .prog = cli->prog, .log = cli_logger(cli),
                    .group_commit = cli->group_commit};
}

void cli_close(mb_session *s)
{
    if (s->vt_ready)
        mb_vtable_free(&s->vt);
    if (s->be != NULL)
        s->be->close(s->conn);
    memset(s, 0, sizeof *s);
}

/* The option whose long name is name[0..len), or -1. */
static int find_long(const char *name, size_t len)
{
    int i;

    for (i = 0; i < N_OPTS; i++)
        if (strlen(options[i].name) == len &&
            strncmp(name, options[i].name, len) == 0)
            return i;
    return -1;
}

static int find_short(int c)
{
    int i;

    for (i = 0; i < N_OPTS; i++)
        if (options[i].short_name == c)
            return i;
    return -1;
}

/* 1 when a is an option whose value is the next argument. */
static int takes_value(const char *a)
{
    int o;

    if (a[0] != '-')
        return 0;
    if (a[1] == '-')
        o = find_long(a + 2, strlen(a + 2));
    else
        o = a[1] != '\0' && a[2] == '\0' ? find_short(a[1]) : -1;
    return o >= 0 && options[o].value != NULL;
}

/* Move every argument of the form -DIGITS (a relative target) behind a
 * "--" at the end, keeping their order; getopt then sees them as
 * positional. Returns the new argc; new_argv has room for argc + 2. */
static int set_aside_relative(int argc, char **argv, char **new_argv)
{
    int i, k = 0, nrel = 0;
    char *rel[64];

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        int is_rel = i > 0 && a[0] == '-' && a[1] >= '0' && a[1] <= '9' &&
                     a[strspn(a + 1, "0123456789") + 1] == '\0';

        if (strcmp(a, "--") == 0) { /* the rest is positional already */
            for (; i < argc; i++)
                new_argv[k++] = argv[i];
            break;
        }
        if (is_rel && nrel < 64)
            rel[nrel++] = argv[i];
        else
            new_argv[k++] = argv[i];
        /* options taking a separate value: keep the value with them */
        if (!is_rel && i + 1 < argc &&
            takes_value(a))
            new_argv[k++] = argv[++i];
    }
    if (nrel > 0) {
        int has_dashdash = 0, j;
        for (j = 1; j < k; j++)
            has_dashdash |= strcmp(new_argv[j], "--") == 0;
        if (!has_dashdash)
            new_argv[k++] = "--";
        for (j = 0; j < nrel; j++)
            new_argv[k++] = rel[j];
    }
    new_argv[k] = NULL;
    return k;
}

/* Seconds from 0 to 86400. */
/* A bundle digest: MB_CHECKSUM_HEX hex digits, either case, to lowercase. */
static int parse_digest(char out[MB_CHECKSUM_HEX + 1], const char *arg)
{
    size_t i;

    for (i = 0; i < MB_CHECKSUM_HEX; i++) {
        char c = arg[i];

        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return -1;
        out[i] = c;
    }
    out[i] = '\0';
    return arg[i] == '\0' ? 0 : -1;
}

static int parse_seconds(double *out, const char *arg)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(arg, &end);
    if (errno != 0 || end == arg || *end != '\0' || !(v >= 0 && v <= 86400))
        return -1;
    *out = v;
    return 0;
}

/* The dialect named s, or -1. */
static int parse_dialect(const char *s)
{
    if (strcmp(s, "postgresql") == 0)
        return MB_DIALECT_POSTGRESQL;
    if (strcmp(s, "sqlite") == 0)
        return MB_DIALECT_SQLITE;
    return -1;
}

/* A schema or table name we accept: [A-Za-z0-9_]{1,63}. */
static int valid_name(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789_");
    return n > 0 && n <= 63 && s[n] == '\0';
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* What the command line holds: each option's value ("" for a flag given,
 * NULL when absent; the last one wins), the command and its arguments. */
typedef struct cli_args {
    const char *val[N_OPTS];
    const mb_command *cmd;
    char **args;
    int nargs;
} cli_args;

/* Parse: getopt's tables from the option table, values into a. */
static int parse(cli_args *a, const char *prog, int ac, char **av)
{
    struct option lo[N_OPTS + 1];
    char shorts[2 * N_OPTS + 2];
    size_t k = 0;
    int i, c;

    memset(a, 0, sizeof *a);
    memset(lo, 0, sizeof lo);
    shorts[k++] = ':';
    for (i = 0; i < N_OPTS; i++) {
        lo[i].name = options[i].name;
        lo[i].has_arg = options[i].value ? required_argument : no_argument;
        lo[i].val = 256 + i;
        if (options[i].short_name) {
            shorts[k++] = options[i].short_name;
            if (options[i].value)
                shorts[k++] = ':';
        }
    }
    shorts[k] = '\0';
    opterr = 0;
    while ((c = getopt_long(ac, av, shorts, lo, NULL)) != -1) {
        int o = c >= 256 ? c - 256 : find_short(c);

        if (c == ':')
            return usage_error(prog, "option \"%s\" needs a value",
                               av[optind - 1]);
        if (o < 0 && strncmp(av[optind - 1], "--", 2) == 0)
            return usage_error(prog, "unknown option \"%.*s\"",
                               (int)strcspn(av[optind - 1], "="),
                               av[optind - 1]);
        if (o < 0)
            return usage_error(prog, "unknown option \"-%c\"", optopt);
        a->val[o] = optarg ? optarg : "";
    }
    if (optind < ac) {
        a->cmd = find_command(av[optind]);
        if (a->cmd == NULL)
            return usage_error(prog, "unknown command \"%s\"", av[optind]);
        optind++;
    }
    a->args = av + optind;
    a->nargs = ac - optind;
    return MB_EXIT_OK;
}

/* "up and down": the commands that take option o. */
static void commands_taking(char *buf, size_t size, int o)
{
    size_t i, n = 0, total = 0, used;

    for (i = 0; i < N_COMMANDS; i++)
        total += !commands[i].alias_of && (commands[i].options & OPTBIT(o));
    buf[0] = '\0';
    for (i = 0; i < N_COMMANDS; i++) {
        if (commands[i].alias_of || !(commands[i].options & OPTBIT(o)))
            continue;
        used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s",
                 n == 0 ? "" : n + 1 == total ? " and " : ", ",
                 commands[i].name);
        n++;
    }
}

/* Validate: each option against the command's row, values into cli. */
static int validate(mb_cli *cli, const cli_args *a)
{
    const char *const *v = a->val;
    const mb_command *cmd = a->cmd;
    char list[128];
    int o;

    for (o = 0; o < N_OPTS; o++) {
        if (v[o] == NULL || (OPTBIT(o) & (GLOBAL_OPTS | cmd->options)))
            continue;
        commands_taking(list, sizeof list, o);
        return usage_error(cli->prog, "--%s is for %s", options[o].name,
                           list);
    }
    for (o = 0; o < N_OPTS && v[OPT_SQL] != NULL; o++)
        if (v[o] != NULL && !(OPTBIT(o) & OFFLINE_OPTS))
            return usage_error(cli->prog, "--%s means nothing with --sql, "
                               "which opens no database and runs nothing",
                               options[o].name);
    if (v[OPT_SQL] == NULL && v[OPT_DIALECT] != NULL &&
        (cmd->options & OPTBIT(OPT_SQL)))
        return usage_error(cli->prog, "--dialect is for sql, and for %s "
                           "with --sql", cmd->name);
    if (a->nargs > cmd->max_args)
        return usage_error(cli->prog, "too many arguments for \"%s\"",
                           cmd->name);
    if (a->nargs < cmd->min_args)
        return usage_error(cli->prog, "\"%s\" needs %s", cmd->name,
                           cmd->args);
    for (o = 0; o < a->nargs; o++)
        if (a->args[o][0] == '\0')
            return usage_error(cli->prog, "the %s given to \"%s\" is empty",
                               strstr(cmd->args, "TARGET") ? "target"
                                                          : "revision",
                               cmd->name);
    cli->cmd = cmd;
    cli->args = a->args;
    cli->nargs = a->nargs;
    if (v[OPT_DB] != NULL && v[OPT_DB][0] == '\0')
        return usage_error(cli->prog, "empty database URL given with -d");
    cli->db = v[OPT_DB];
    if (v[OPT_FORMAT] != NULL) {
        if (strcmp(v[OPT_FORMAT], "json") == 0)
            cli->json = 1;
        else if (strcmp(v[OPT_FORMAT], "text") != 0)
            return usage_error(cli->prog, "unknown output format \"%s\": "
                               "use text or json", v[OPT_FORMAT]);
    }
    if (cli->json && !cmd->json)
        return usage_error(cli->prog, "\"%s\" has no JSON output",
                           cmd->name);
    {
        static const int secs[] = {OPT_LOCK_TIMEOUT, OPT_WAIT,
                                   OPT_GROUP_COMMIT};
        double *dst[] = {&cli->lock_timeout, &cli->wait, &cli->group_commit};
        size_t i;

        for (i = 0; i < 3; i++)
            if (v[secs[i]] != NULL && parse_seconds(dst[i], v[secs[i]]) < 0)
                return usage_error(cli->prog, "invalid --%s \"%s\": give "
                                   "seconds from 0 to 86400",
                                   options[secs[i]].name, v[secs[i]]);
    }
    {
        static const int names[] = {OPT_SCHEMA, OPT_VERSION_TABLE,
                                    OPT_LOG_TABLE};
        const char **dst[] = {&cli->schema, &cli->version_table,
                              &cli->log_table};
        size_t i;

        for (i = 0; i < 3; i++) {
            if (v[names[i]] == NULL)
                continue;
            if (!valid_name(v[names[i]]))
                return usage_error(cli->prog, "invalid table or schema name"
                                   " \"%s\": use 1 to 63 letters, digits "
                                   "or underscores", v[names[i]]);
            *dst[i] = v[names[i]];
        }
    }
    if (strcmp(cli->version_table, cli->log_table) == 0)
        return usage_error(cli->prog, "the version and log tables need "
                           "different names");
    cli->single = v[OPT_SINGLE] != NULL;
    if (v[OPT_GROUP_COMMIT] != NULL && cli->single)
        return usage_error(cli->prog, "give one of --group-commit and "
                           "--single-transaction");
    if (v[OPT_GROUP_COMMIT] == NULL)
        cli->group_commit = MB_DEFAULT_GROUP_COMMIT;
    if (v[OPT_APPLIED] != NULL && v[OPT_ROLLED_BACK] != NULL)
        return usage_error(cli->prog, "give one of --applied and "
                           "--rolled-back");
    cli->resolution = v[OPT_APPLIED] ? 1 : v[OPT_ROLLED_BACK] ? 0 : -1;
    cli->quiet = v[OPT_QUIET] != NULL;
    cli->purge = v[OPT_PURGE] != NULL;
    cli->rev_range = v[OPT_REV_RANGE];
    cli->indicate_current = v[OPT_INDICATE_CURRENT] != NULL;
    cli->verbose = v[OPT_VERBOSE] != NULL;
    cli->sql = v[OPT_SQL] != NULL;
    cli->drift = v[OPT_DRIFT] != NULL;
    cli->strict = v[OPT_STRICT] != NULL;
    if (v[OPT_EXPECT_DIGEST] != NULL &&
        parse_digest(cli->expect_digest_buf, v[OPT_EXPECT_DIGEST]) < 0)
        return usage_error(cli->prog, "invalid --expect-digest \"%s\": "
                           "give the %d hexadecimal digits \"manifest\" "
                           "shows as digest", v[OPT_EXPECT_DIGEST],
                           MB_CHECKSUM_HEX);
    if (v[OPT_EXPECT_DIGEST] != NULL)
        cli->expect_digest = cli->expect_digest_buf;
    cli->key = v[OPT_KEY];
    cli->down = v[OPT_DOWN] != NULL;
    cli->since = v[OPT_SINCE];
    cli->log_revision = v[OPT_REVISION];
    if (v[OPT_DIALECT] != NULL &&
        (cli->dialect = parse_dialect(v[OPT_DIALECT])) < 0)
        return usage_error(cli->prog, "unknown dialect \"%s\": use "
                           "postgresql or sqlite", v[OPT_DIALECT]);
    return MB_EXIT_OK;
}

static int run(const mb_bundle *bundle, int argc, char **argv, char **av)
{
    mb_cli cli;
    cli_args a;
    int rc;

    memset(&cli, 0, sizeof cli);
    cli.bundle = bundle;
    cli.prog = base_name(argv[0] ? argv[0] : bundle->name);
    cli.lock_timeout = MB_DEFAULT_LOCK_TIMEOUT;
    cli.version_table = MB_VERSION_TABLE;
    cli.log_table = MB_LOG_TABLE;
    if ((rc = parse(&a, cli.prog, set_aside_relative(argc, argv, av), av)) !=
        MB_EXIT_OK)
        return rc;
    if (a.val[OPT_VERSION] != NULL) {
        printf("%s (%s, bundle %s)\n", cli.prog, bundle->generator,
               bundle->digest);
        return MB_EXIT_OK;
    }
    if (a.val[OPT_HELP] != NULL) {
        if (a.cmd != NULL)
            command_usage(cli.prog, a.cmd);
        else
            usage(cli.prog, bundle);
        return MB_EXIT_OK;
    }
    if (a.cmd == NULL)
        return usage_error(cli.prog, "no command given");
    if ((rc = validate(&cli, &a)) != MB_EXIT_OK)
        return rc;
    if (cli.db == NULL)
        cli.db = getenv("DATABASE_URL");
    if (cli.db == NULL || cli.db[0] == '\0')
        cli.db = bundle->default_db;
    /* every command but verify (which reports its own deeper check)
     * acts on a bundle that passed the self-check, read commands too */
    if (cli.cmd->run != cmd_verify &&
        (rc = checked(&cli)) != MB_EXIT_OK)
        return rc;
    rc = cli.cmd->run(&cli);
    mb_graph_free(&cli.graph);
    mb_graph_text_free(&cli.gt);
    return rc;
}

int main(int argc, char **argv)
{
    char **av = mb_calloc((size_t)argc + 2, sizeof *av);
    int rc;

    if (av == NULL) {
        fputs("out of memory\n", stderr);
        return MB_EXIT_DB;
    }
    rc = run(&mb_embedded_bundle, argc, argv, av);
    free(av);
    if (fflush(stdout) != 0 && rc == MB_EXIT_OK)
        rc = MB_EXIT_DB;
    return rc;
}

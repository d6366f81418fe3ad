/*
 * main.c -- app-migrate's entry point: options, the command table, and
 * what every command shares (graph, self-check, opening the database).
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
#include "mb/url.h"

extern const mb_bundle mb_embedded_bundle;

static const mb_command commands[] = {
    {"up", cmd_up, "[TARGET]", "apply revisions up to TARGET (default: "
     "heads)", 0, 1, 0},
    {"upgrade", cmd_up, "[TARGET]", "alias of up", 0, 1, 0},
    {"down", cmd_down, "[TARGET]", "roll back to TARGET (default: -1)", 0, 1,
     0},
    {"downgrade", cmd_down, "[TARGET]", "alias of down", 0, 1, 0},
    {"current", cmd_current, "", "show the applied heads", 0, 0, 1},
    {"history", cmd_history, "", "show the revision graph, newest first", 0,
     0, 1},
    {"heads", cmd_heads, "", "show the heads of the revision graph", 0, 0,
     1},
    {"verify", cmd_verify, "", "check the bundle and the applied checksums",
     0, 0, 1},
    {"manifest", cmd_manifest, "", "list the embedded revisions and "
     "checksums", 0, 0, 1},
    {"resolve", cmd_resolve, "REV --applied|--rolled-back", "record how an "
     "unfinished transaction:false section was settled by hand", 1, 1, 0},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(const char *prog, const mb_bundle *b)
{
    size_t i;

    printf("%s migrates a database to the revisions bundled into it\n"
           "(%u revisions, bundle %.12s, built by %s).\n\n", prog,
           b->n_revisions, b->digest, b->generator);
    printf("Usage:\n  %s [OPTION]... COMMAND [TARGET]\n\nCommands:\n", prog);
    for (i = 0; i < N_COMMANDS; i++)
        printf("  %-10s %-9s %s\n", commands[i].name, commands[i].args,
               commands[i].summary);
    printf("\nTargets: head, heads, base, a revision id or a unique prefix,"
           "\n  +N (up), -N (down).\n");
    printf("\nOptions:\n"
           "  -d, --db=URL             database: sqlite:PATH, "
           "sqlite::memory: or\n"
           "                           postgresql://... (any libpq URL)\n"
           "                           (default: $DATABASE_URL, else "
           "the bundled default)\n"
           "      --format=FORMAT      text (default) or json, for current,"
           " history,\n"
           "                           heads, verify and manifest\n"
           "      --lock-timeout=SECONDS\n"
           "                           wait at most this long for another "
           "run's lock\n"
           "                           (default: %.0f)\n"
           "      --wait=SECONDS       keep retrying while the database "
           "refuses connections\n"
           "                           or is starting (default: 0)\n"
           "      --single-transaction run up or down in one transaction "
           "(all or nothing)\n"
           "      --group-commit=SECONDS\n"
           "                           SQLite: commit revisions in groups "
           "at most this long\n"
           "                           (each in a savepoint; 0: a commit "
           "per revision;\n"
           "                           default: %.1f)\n"
           "      --schema=NAME        PostgreSQL schema of the version and "
           "log tables\n"
           "      --version-table=NAME version table (default: "
           MB_VERSION_TABLE ")\n"
           "      --log-table=NAME     log table (default: " MB_LOG_TABLE
           ")\n"
           "      --applied, --rolled-back\n"
           "                           how resolve records the section\n"
           "  -q, --quiet              no progress lines on stderr\n"
           "  -V, --version            show the version and exit\n"
           "  -h, --help               show this help and exit\n",
           MB_DEFAULT_LOCK_TIMEOUT, MB_DEFAULT_GROUP_COMMIT);
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
    return rc;
}

int cli_selfcheck(mb_cli *cli, mb_report *rep, mb_error *err)
{
    int rc = mb_bundle_selfcheck(cli->bundle, MB_SELFCHECK_STORED, rep, err);

    if (rc == MB_OK && rep->count > 0) {
        mb_error_set(err, MB_EINTEGRITY, "the embedded bundle is corrupt: "
                     "%zu problem%s; nothing was run", rep->count,
                     rep->count == 1 ? "" : "s");
        mb_error_hint(err, "rebuild or re-download this executable");
        return MB_EINTEGRITY;
    }
    return rc;
}

static int check_schema(const mb_cli *cli, const mb_backend *be,
                        mb_error *err)
{
    if (cli->schema != NULL && be->dialect != MB_DIALECT_POSTGRESQL) {
        mb_error_set(err, MB_EUSAGE, "--schema is for PostgreSQL databases");
        mb_error_hint(err, "on SQLite, choose the tables with "
                      "--version-table and --log-table");
        return MB_EUSAGE;
    }
    return MB_OK;
}

int cli_open(mb_cli *cli, mb_session *s, int readonly, mb_error *err)
{
    mb_connect_opts o = {readonly, cli->lock_timeout, cli->wait, cli->prog,
                         cli->quiet};
    int rc;

    memset(s, 0, sizeof *s);
    if (cli->db == NULL || cli->db[0] == '\0') {
        mb_error_set(err, MB_EUSAGE, "no database given");
        mb_error_hint(err, "pass -d URL or set DATABASE_URL (e.g. "
                      "sqlite:app.db)");
        return MB_EUSAGE;
    }
    if ((rc = mb_backend_for_url(&s->be, cli->db, err)) < 0 ||
        (rc = check_schema(cli, s->be, err)) < 0 ||
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

mb_ctx cli_context(mb_cli *cli, mb_session *s, int quiet)
{
    return (mb_ctx){.bundle = cli->bundle, .graph = &cli->graph,
                    .be = s->be, .conn = s->conn, .vt = &s->vt,
                    .prog = cli->prog, .quiet = quiet,
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

/* The long options; the short ones are -d, -q, -h and -V. */
static const struct option long_options[] = {
    {"db", required_argument, NULL, 'd'},
    {"format", required_argument, NULL, 'f'},
    {"lock-timeout", required_argument, NULL, 'l'},
    {"quiet", no_argument, NULL, 'q'},
    {"wait", required_argument, NULL, 'w'},
    {"single-transaction", no_argument, NULL, 's'},
    {"group-commit", required_argument, NULL, 'g'},
    {"schema", required_argument, NULL, 'S'},
    {"version-table", required_argument, NULL, 'T'},
    {"log-table", required_argument, NULL, 'L'},
    {"applied", no_argument, NULL, 'A'},
    {"rolled-back", no_argument, NULL, 'R'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

/* 1 when a is an option whose value is the next argument. */
static int takes_value(const char *a)
{
    size_t i;

    if (strcmp(a, "-d") == 0)
        return 1;
    if (strncmp(a, "--", 2) != 0)
        return 0;
    for (i = 0; long_options[i].name != NULL; i++)
        if (long_options[i].has_arg == required_argument &&
            strcmp(a + 2, long_options[i].name) == 0)
            return 1;
    return 0;
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

static int run(const mb_bundle *bundle, int argc, char **argv, char **av)
{
    mb_cli cli;
    const mb_command *cmd = NULL;
    int c, help = 0, ac, rc;
    size_t i;

    memset(&cli, 0, sizeof cli);
    cli.bundle = bundle;
    cli.prog = base_name(argv[0] ? argv[0] : bundle->name);
    cli.lock_timeout = MB_DEFAULT_LOCK_TIMEOUT;
    cli.group_commit = -1; /* not given */
    cli.version_table = MB_VERSION_TABLE;
    cli.log_table = MB_LOG_TABLE;
    cli.resolution = -1;
    ac = set_aside_relative(argc, argv, av);
    opterr = 0;
    while ((c = getopt_long(ac, av, ":d:qhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (optarg[0] == '\0')
                return usage_error(cli.prog, "empty database URL given "
                                   "with -d");
            cli.db = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                cli.json = 1;
            else if (strcmp(optarg, "text") != 0)
                return usage_error(cli.prog, "unknown output format \"%s\": "
                                   "use text or json", optarg);
            break;
        case 'l':
        case 'w':
        case 'g':
            if (parse_seconds(c == 'l'   ? &cli.lock_timeout
                              : c == 'w' ? &cli.wait
                                         : &cli.group_commit,
                              optarg) < 0)
                return usage_error(cli.prog, "invalid --%s \"%s\": give "
                                   "seconds from 0 to 86400",
                                   c == 'l'   ? "lock-timeout"
                                   : c == 'w' ? "wait"
                                              : "group-commit",
                                   optarg);
            break;
        case 's':
            cli.single = 1;
            break;
        case 'S':
        case 'T':
        case 'L':
            if (!valid_name(optarg))
                return usage_error(cli.prog, "invalid table or schema name "
                                   "\"%s\": use 1 to 63 letters, digits or "
                                   "underscores", optarg);
            *(c == 'S' ? &cli.schema : c == 'T' ? &cli.version_table
                                                : &cli.log_table) = optarg;
            break;
        case 'A':
        case 'R':
            if (cli.resolution != -1 && cli.resolution != (c == 'A'))
                return usage_error(cli.prog, "give one of --applied and "
                                   "--rolled-back");
            cli.resolution = c == 'A';
            break;
        case 'q':
            cli.quiet = 1;
            break;
        case 'h':
            help = 1;
            break;
        case 'V':
            printf("%s (%s, bundle %s)\n", cli.prog, bundle->generator,
                   bundle->digest);
            return MB_EXIT_OK;
        case ':':
            return usage_error(cli.prog, "option \"%s\" needs a value",
                               av[optind - 1]);
        default:
            if (strncmp(av[optind - 1], "--", 2) == 0)
                return usage_error(cli.prog, "unknown option \"%.*s\"",
                                   (int)strcspn(av[optind - 1], "="),
                                   av[optind - 1]);
            return usage_error(cli.prog, "unknown option \"-%c\"", optopt);
        }
    }
    if (optind < ac) {
        for (i = 0; i < N_COMMANDS && cmd == NULL; i++)
            if (strcmp(av[optind], commands[i].name) == 0)
                cmd = &commands[i];
        if (cmd == NULL)
            return usage_error(cli.prog, "unknown command \"%s\"",
                               av[optind]);
        optind++;
    }
    if (help) {
        if (cmd != NULL)
            command_usage(cli.prog, cmd);
        else
            usage(cli.prog, bundle);
        return MB_EXIT_OK;
    }
    if (cmd == NULL)
        return usage_error(cli.prog, "no command given");
    cli.args = av + optind;
    cli.nargs = ac - optind;
    if (cli.nargs > cmd->max_args)
        return usage_error(cli.prog, "too many arguments for \"%s\"",
                           cmd->name);
    if (cli.nargs < cmd->min_args)
        return usage_error(cli.prog, "\"%s\" needs %s", cmd->name,
                           cmd->args);
    if (cli.resolution != -1 && cmd->run != cmd_resolve)
        return usage_error(cli.prog, "--applied and --rolled-back are for "
                           "\"resolve\"");
    if (cli.single && cmd->run != cmd_up && cmd->run != cmd_down)
        return usage_error(cli.prog, "--single-transaction is for up and "
                           "down");
    if (cli.group_commit >= 0 && cmd->run != cmd_up && cmd->run != cmd_down)
        return usage_error(cli.prog, "--group-commit is for up and down");
    if (cli.group_commit >= 0 && cli.single)
        return usage_error(cli.prog, "give one of --group-commit and "
                           "--single-transaction");
    if (cli.group_commit < 0)
        cli.group_commit = MB_DEFAULT_GROUP_COMMIT;
    if (strcmp(cli.version_table, cli.log_table) == 0)
        return usage_error(cli.prog, "the version and log tables need "
                           "different names");
    if (cli.json && !cmd->json)
        return usage_error(cli.prog, "\"%s\" has no JSON output", cmd->name);
    if (cli.db == NULL)
        cli.db = getenv("DATABASE_URL");
    if (cli.db == NULL || cli.db[0] == '\0')
        cli.db = bundle->default_db;
    rc = cmd->run(&cli);
    mb_graph_free(&cli.graph);
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

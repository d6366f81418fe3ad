/*
 * main.c -- the migbundle command line.
 *
 * A thin layer over mb_bundler: one table of commands, getopt_long option
 * tables, PostgreSQL-style help and usage errors. Exit status: 0 success
 * (warnings allowed on stderr), 1 invalid input (revision files, graph,
 * I/O, a revision that fails check's replay), 2 usage (also a --db that
 * check cannot use: the refusals of mb_stairway, MB_EUSAGE).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "emit.h"
#include "lint.h"
#include "pack.h"
#include "pgparse.h"
#include "stairway.h"

/* Long-only options get values outside the range of characters. */
enum {
    OPT_NAME = 256, OPT_DEFAULT_DB, OPT_DEPFILE, OPT_STRICT, OPT_DB,
    OPT_NO_SQLITE, OPT_SIGN
};

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis; /* after "migbundle NAME " */
    const char *summary;  /* one line for the command list */
} command;

static int cmd_build(int argc, char **argv);
static int cmd_check(int argc, char **argv);

static const command commands[] = {
    {"build", cmd_build, "DIR -o OUT.c",
     "write the C source of a migration executable"},
    {"check", cmd_check, "DIR [OPTION]...",
     "check, lint and replay the revisions"},
    {"revision", cmd_revision, "DIR -m MSG", "write a new revision file"},
    {"merge", cmd_merge, "DIR -m MSG REV...",
     "write a revision that merges heads"},
    {"history", cmd_history, "DIR", "show the revision graph, newest "
     "first"},
    {"heads", cmd_heads, "DIR", "show the heads of the graph"},
    {"branches", cmd_branches, "DIR", "show the branch points"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void help(void)
{
    size_t i;

    printf(PROG " bundles a directory of SQL revision files into a C source "
           "file which,\nlinked with the migbundle runtime, is one "
           "self-contained migration program.\n\n"
           "Usage:\n"
           "  " PROG " [OPTION] COMMAND [ARG]...\n\n"
           "Commands:\n");
    for (i = 0; i < N_COMMANDS; i++) {
        char head[64];

        snprintf(head, sizeof head, "%s %s", commands[i].name,
                 commands[i].synopsis);
        printf("  %-24s %s\n", head, commands[i].summary);
    }
    printf("\nOptions:\n"
           "  -V, --version        output version information, then exit\n"
           "  -h, --help           show this help, then exit\n\n"
           "Run \"" PROG " COMMAND --help\" for the options of a command.\n"
           "Exit status: 0 success (warnings allowed), 1 invalid input "
           "or a failed replay,\n2 usage error or a --db that cannot be "
           "used.\n");
}

static void help_build(void)
{
    printf(PROG " build writes the C source of a migration program holding "
           "every\nrevision file (*.sql) under DIR, checked, hashed and "
           "compressed.\n\n"
           "Usage:\n"
           "  " PROG " build DIR -o OUT.c [OPTION]...\n\n"
           "Options:\n"
           "  -o, --output=OUT.c     file to write; left alone (mtime kept) "
           "when its\n"
           "                         content would not change\n"
           "      --name=NAME        program name recorded in the bundle\n"
           "                         (default: app-migrate)\n"
           "      --default-db=URL   database used when neither --db nor "
           "DATABASE_URL\n"
           "                         is given (default: none)\n"
           "      --depfile=FILE     also write a make-syntax depfile for "
           "OUT.c\n"
           "      --sign=KEY.pem     sign the release with this Ed25519 "
           "private key\n"
           "                         (openssl genpkey -algorithm ed25519)\n"
           "  -h, --help             show this help, then exit\n");
}

static void help_check(void)
{
    printf(PROG " check reads every revision file (*.sql) under DIR and "
           "checks the\nfiles and their revision graph, then lints the SQL "
           "that runs on\nPostgreSQL for what locks or rewrites a busy "
           "table (docs/lint.md).\nThen it replays every revision in apply "
           "order on an in-memory SQLite\ndatabase (and on PostgreSQL with "
           "--db): up, down, up again, and fails\nwhen a down does not "
           "restore the schema its up found. It writes no\nfile. Warnings "
           "(irreversible revisions, several heads, lint findings)\ndo not "
           "fail the check.\n\n"
           "Usage:\n"
           "  " PROG " check DIR [OPTION]...\n\n"
           "Options:\n"
           "      --db=URL           also replay on this PostgreSQL "
           "database, which\n"
           "                         must be empty (it is left at the "
           "heads)\n"
           "      --no-sqlite        no replay on SQLite (revisions that "
           "only\n"
           "                         PostgreSQL runs, fragments)\n"
           "      --strict           lint findings are errors: exit 1 when "
           "there is any\n"
           "  -h, --help             show this help, then exit\n\n"
           "Silence one rule for the next statement with a comment line\n"
           "  -- migbundle:allow RULE REASON\n");
}

/* Emit the bundle for p to out, then the depfile if asked. */
static int build(const mb_project *p, const char *out, const char *name,
                 const char *default_db, const char *depfile,
                 const char *sign_key, mb_error *err)
{
    mb_packed packed = MB_PACKED_INIT;
    mb_buf text = MB_BUF_INIT;
    mb_bundle b;
    int changed, rc;

    if ((rc = mb_pack(&packed, p->revs, p->n_revs, p->scan.dir, err)) < 0)
        goto done;
    memset(&b, 0, sizeof b);
    b.magic = MB_BUNDLE_MAGIC;
    b.abi = MB_BUNDLE_ABI_VERSION;
    b.name = name;
    b.generator = PROG " " MB_VERSION;
    b.revisions = packed.revs;
    b.n_revisions = (unsigned)packed.n;
    b.digest = packed.digest;
    b.default_db = default_db;
    if ((rc = mb_emit_c(&text, &b, sign_key, err)) < 0 ||
        (rc = mb_emit_write(out, text.ptr, text.len, &changed, err)) < 0)
        goto done;
    if (depfile != NULL) {
        mb_buf_clear(&text);
        if ((rc = mb_emit_depfile(&text, out, &p->scan, err)) < 0 ||
            (rc = mb_emit_write(depfile, text.ptr, text.len, &changed,
                                err)) < 0)
            goto done;
    }
done:
    mb_buf_free(&text);
    mb_pack_free(&packed);
    return rc;
}

static int cmd_build(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"name", required_argument, NULL, OPT_NAME},
        {"default-db", required_argument, NULL, OPT_DEFAULT_DB},
        {"depfile", required_argument, NULL, OPT_DEPFILE},
        {"sign", required_argument, NULL, OPT_SIGN},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *out = NULL, *name = "app-migrate";
    const char *default_db = NULL, *depfile = NULL, *sign_key = NULL;
    mb_project p = MB_PROJECT_INIT;
    mb_error err = MB_ERROR_INIT;
    int c, status;

    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_NAME: name = optarg; break;
        case OPT_DEFAULT_DB: default_db = optarg; break;
        case OPT_DEPFILE: depfile = optarg; break;
        case OPT_SIGN: sign_key = optarg; break;
        case 'h': help_build(); return EXIT_OK;
        default: return option_error("build", argv, c);
        }
    }
    if ((status = take_dir("build", argc, argv, &dir)) != EXIT_OK)
        return status;
    if (out == NULL)
        return usage_error("build", "no output file given (-o OUT.c)");
    if (mb_project_load(&p, dir, &err) < 0) {
        status = fail(&err);
        goto done;
    }
    mb_check_warnings(&p, PROG, stderr);
    if (build(&p, out, name, default_db, depfile, sign_key, &err) < 0)
        status = fail(&err);
done:
    mb_project_free(&p);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"no-sqlite", no_argument, NULL, OPT_NO_SQLITE},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *db = NULL;
    mb_project p = MB_PROJECT_INIT;
    mb_error err = MB_ERROR_INIT;
    size_t found = 0;
    int c, status, strict = 0, sqlite = 1;

    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case OPT_NO_SQLITE: sqlite = 0; break;
        case OPT_STRICT: strict = 1; break;
        case 'h': help_check(); return EXIT_OK;
        default: return option_error("check", argv, c);
        }
    }
    if ((status = take_dir("check", argc, argv, &dir)) != EXIT_OK)
        return status;
    if (mb_project_load(&p, dir, &err) < 0 ||
        mb_check_project(&p, PROG, stderr, &err) < 0 ||
        mb_lint_project(&p, strict, PROG, stderr, &found, &err) < 0 ||
        mb_stairway(&p, sqlite, db, PROG, stderr, &err) < 0)
        status = fail(&err);
    else if (strict && found > 0)
        status = EXIT_INPUT;
    mb_project_free(&p);
    return status;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    size_t i;
    int c;

    opterr = 0;
    /* '+': stop at the command; its options are parsed by the command. */
    while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'h': help(); return EXIT_OK;
        case 'V': printf(PROG " " MB_VERSION "\n"); return EXIT_OK;
        default: return option_error(NULL, argv, c);
        }
    }
    if (optind >= argc)
        return usage_error(NULL, "no command given");
    for (i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[optind], commands[i].name) == 0) {
            char **cargv = argv + optind;
            int cargc = argc - optind, status;

            optind = 0; /* glibc: start afresh on the command's arguments */
            status = commands[i].run(cargc, cargv);
            mb_pgparse_exit(); /* libpg_query's memory, for valgrind */
            return status;
        }
    }
    return usage_error(NULL, "unknown command \"%s\"", argv[optind]);
}

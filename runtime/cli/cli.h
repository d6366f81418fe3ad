/*
 * cli.h -- internals shared by the app-migrate command files.
 */
#ifndef MB_CLI_H
#define MB_CLI_H

#include <stdio.h>

#include "mb/apply.h"
#include "mb/backend.h"
#include "mb/bundle.h"
#include "mb/graph.h"
#include "mb/graphtext.h"
#include "mb/verify.h"
#include "mb/vtable.h"

/* Exit statuses (docs/cli.md). */
#define MB_EXIT_OK 0
#define MB_EXIT_DB 1        /* database or SQL error */
#define MB_EXIT_USAGE 2     /* bad option, unknown or ambiguous target */
#define MB_EXIT_INTEGRITY 3 /* checksums, unknown revisions, corrupt bundle,
                             * schema drift */

#define MB_DEFAULT_LOCK_TIMEOUT 60.0 /* seconds */
#define MB_DEFAULT_GROUP_COMMIT 0.2  /* seconds (SQLite) */

/*
 * The options, one row each in main.c's option table: the getopt table,
 * --help, and which command takes which option all derive from it.
 */
enum cli_opt {
    OPT_DB, OPT_FORMAT, OPT_LOCK_TIMEOUT, OPT_WAIT, OPT_SINGLE,
    OPT_GROUP_COMMIT, OPT_SCHEMA, OPT_VERSION_TABLE, OPT_LOG_TABLE,
    OPT_PURGE, OPT_APPLIED, OPT_ROLLED_BACK, OPT_REV_RANGE,
    OPT_INDICATE_CURRENT, OPT_VERBOSE, OPT_SQL, OPT_DOWN, OPT_DIALECT,
    OPT_SINCE, OPT_REVISION, OPT_QUIET, OPT_DRIFT, OPT_STRICT, OPT_EXPECT_DIGEST,
    OPT_KEY, OPT_HELP, OPT_VERSION, N_OPTS
};

#define OPTBIT(o) (1u << (o))

/* What a command does with the database. */
enum cli_access {
    CLI_NO_DB,    /* never opens it */
    CLI_DB_READ,  /* opens it read-only (a missing SQLite file is empty) */
    CLI_DB_WRITE  /* opens it for writing, takes the migration lock */
};

typedef struct mb_cli mb_cli;

typedef struct mb_command {
    const char *name;
    const char *alias_of; /* set: this row only names another command */
    int (*run)(mb_cli *cli);
    const char *args;     /* usage of the arguments, "" when none */
    const char *summary;
    int min_args;
    int max_args;
    unsigned options;     /* OPTBIT()s of the command's own options */
    int json;             /* 1 when --format json is supported */
    enum cli_access access;
} mb_command;

struct mb_cli {
    const mb_bundle *bundle;
    const mb_command *cmd;   /* the command being run */
    const char *prog;        /* the name it was invoked as, for messages */
    const char *db;          /* -d/--db, else $DATABASE_URL, else default */
    int json;                /* --format json */
    int quiet;               /* -q/--quiet */
    double lock_timeout;
    double wait;             /* --wait SECONDS */
    const char *schema;      /* --schema NAME, or NULL */
    const char *version_table; /* --version-table NAME */
    const char *log_table;   /* --log-table NAME */
    int single;              /* --single-transaction */
    double group_commit;     /* --group-commit SECONDS */
    int resolution;          /* resolve: 1 --applied, 0 --rolled-back,
                              * -1 not given */
    int purge;               /* stamp --purge */
    const char *rev_range;   /* history -r RANGE, or NULL */
    int indicate_current;    /* history -i */
    int verbose;             /* -v */
    int sql;                 /* up, down, stamp --sql: print, open nothing */
    int drift;               /* verify --drift */
    int strict;              /* up, down --strict: refuse on schema drift */
    const char *expect_digest; /* verify --expect-digest, or NULL */
    char expect_digest_buf[MB_CHECKSUM_HEX + 1]; /* its digits, lowercase */
    const char *key;         /* verify --key PUB.pem, or NULL */
    int down;                /* sql --down */
    int dialect;             /* --dialect, MB_DIALECT_ANY: not given */
    const char *since;       /* log --since TIME, or NULL */
    const char *log_revision; /* log --revision REV, or NULL */
    char **args;             /* positional arguments after the command */
    int nargs;
    mb_graph graph;          /* built by cli_graph() */
    mb_graph_text gt;        /* by cli_graph(): prints graph to stdout */
};

/* An open database: backend, connection and version tables. */
typedef struct mb_session {
    const mb_backend *be;
    mb_conn *conn;
    mb_vtable vt;
    int vt_ready;
} mb_session;

/* Map a status to the exit status; print err first when it failed. */
int cli_fail(const mb_cli *cli, int rc, const mb_error *err);
/* Print a report's lines as "PROG: detail: ..." on stderr. */
void cli_print_report(const mb_cli *cli, const mb_report *rep);
/* Print each line of a report to fp behind prefix. */
void cli_report_lines(FILE *fp, const char *prefix, const mb_report *rep);
int cli_exit_code(int rc);

/* Build cli->graph from the bundle (an invalid graph is corruption). */
int cli_graph(mb_cli *cli, mb_error *err);
/* Self-check the bundle; problems -> MB_EINTEGRITY with rep filled. */
int cli_selfcheck(mb_cli *cli, mb_report *rep, mb_error *err);
/* The context of a command on the open session s; what the run reports
 * goes to stderr (progress only without -q). */
mb_ctx cli_context(mb_cli *cli, mb_session *s);
/* Open the database named by cli->db, as the command's access says. */
int cli_open(mb_cli *cli, mb_session *s, mb_error *err);
/* --schema is for PostgreSQL: MB_EUSAGE when given for another dialect. */
int cli_check_schema(const mb_cli *cli, int dialect, mb_error *err);
void cli_close(mb_session *s);

/* "postgresql", "sqlite", or "any" for MB_DIALECT_ANY. */
const char *cli_dialect_name(int dialect);

/* Commands. */
int cmd_up(mb_cli *cli);
int cmd_down(mb_cli *cli);
int cmd_current(mb_cli *cli);
int cmd_history(mb_cli *cli);
int cmd_heads(mb_cli *cli);
int cmd_verify(mb_cli *cli);
int cmd_manifest(mb_cli *cli);
int cmd_resolve(mb_cli *cli);
int cmd_stamp(mb_cli *cli);
int cmd_branches(mb_cli *cli);
int cmd_show(mb_cli *cli);
int cmd_sql(mb_cli *cli);
int cmd_log(mb_cli *cli);
/* up, down (direction MB_UP, MB_DOWN) or stamp (MB_STAMP) with --sql */
int cli_offline(mb_cli *cli, int direction);

#endif

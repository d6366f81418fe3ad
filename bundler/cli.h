/*
 * cli.h -- internals shared by the migbundle command files: exit
 * statuses, PostgreSQL-style usage errors, the DIR argument.
 *
 * main.c holds the command table, build and check; cmd_author.c revision
 * and merge; cmd_graph.c history, heads and branches. Each command
 * parses its own options with getopt_long (opterr 0: errors are
 * reported here).
 */
#ifndef MB_BUNDLER_CLI_H
#define MB_BUNDLER_CLI_H

#include "mb/error.h"

#define PROG "migbundle"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2 };

/** "migbundle: error: ..." and the hint to --help (of cmd; NULL: of
 * migbundle) on stderr; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) MB_PRINTF(2, 3);

/** Report what getopt_long rejected (c: its return value). */
int option_error(const char *cmd, char **argv, int c);

/** The one positional argument DIR, after the options of cmd. */
int take_dir(const char *cmd, int argc, char **argv, const char **dir);

/** Print err; EXIT_USAGE for MB_EUSAGE, else EXIT_INPUT. */
int fail(const mb_error *err);

/* The commands of the other files (see main.c's table). */
int cmd_revision(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_heads(int argc, char **argv);
int cmd_branches(int argc, char **argv);

#endif

/*
 * cli.c -- usage errors and arguments shared by the migbundle commands
 * (see cli.h).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* PostgreSQL style: the error, then where to look for help; exit 2. */
int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, PROG ": error: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n" PROG ": hint: Try \"" PROG "%s%s --help\" for more "
            "information.\n", cmd ? " " : "", cmd ? cmd : "");
    return EXIT_USAGE;
}

/* opterr is 0, so getopt_long printed nothing. */
int option_error(const char *cmd, char **argv, int c)
{
    const char *arg = argv[optind - 1];

    if (c == ':')
        return usage_error(cmd, "option \"%s\" requires an argument", arg);
    if (optopt != 0 && strncmp(arg, "--", 2) != 0) {
        char opt[3] = {'-', (char)optopt, '\0'};
        return usage_error(cmd, "invalid option \"%s\"", opt);
    }
    return usage_error(cmd, "unrecognized option \"%s\"", arg);
}

int take_dir(const char *cmd, int argc, char **argv, const char **dir)
{
    if (optind >= argc)
        return usage_error(cmd, "no migrations directory given");
    if (optind + 1 < argc)
        return usage_error(cmd, "too many command-line arguments (first is "
                           "\"%s\")", argv[optind + 1]);
    *dir = argv[optind];
    return EXIT_OK;
}

int fail(const mb_error *err)
{
    mb_error_print(err, PROG, stderr);
    return err->code == MB_EUSAGE ? EXIT_USAGE : EXIT_INPUT;
}

/*
 * cmd_graph.c -- migbundle history, heads and branches: the graph of a
 * migrations directory, printed by mb/graphtext.h exactly as app-migrate
 * prints the graph it carries (no database here: no "current").
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "check.h"
#include "cli.h"
#include "mb/graphtext.h"
#include "mb/plan.h"

enum { OPT_FORMAT = 256 };

typedef struct graph_args {
    const char *dir;
    const char *range; /* history -r, or NULL */
    int form;          /* enum mb_graph_form */
} graph_args;

static void help(const char *cmd)
{
    int history = strcmp(cmd, "history") == 0;

    printf(PROG " %s prints %s of the revision graph under DIR as "
           "app-migrate\nand Alembic print it.\n\n"
           "Usage:\n"
           "  " PROG " %s DIR%s [-v] [--format FORMAT]\n\n"
           "Options:\n", cmd, history ? "the revisions, newest first,"
           : strcmp(cmd, "heads") == 0 ? "the heads" : "the branch points",
           cmd, history ? " [-r RANGE]" : "");
    if (history)
        printf("  -r, --rev-range=RANGE  START:END, START: or :END (ids, "
               "prefixes, labels,\n"
               "                         head(s), base, relative "
               "steps)\n");
    printf("  -v, --verbose          Alembic's full entry of each "
           "revision\n"
           "      --format=FORMAT    text (default) or json\n"
           "  -h, --help             show this help, then exit\n");
}

/* The options of history (with -r), heads and branches. */
static int parse(graph_args *a, const char *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {"rev-range", required_argument, NULL, 'r'}, /* history only */
        {NULL, 0, NULL, 0},
    };
    static const struct option no_range[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int history = strcmp(cmd, "history") == 0, c, json = 0, verbose = 0;

    memset(a, 0, sizeof *a);
    while ((c = getopt_long(argc, argv, history ? ":r:vh" : ":vh",
                            history ? opts : no_range, NULL)) != -1) {
        switch (c) {
        case 'r': a->range = optarg; break;
        case 'v': verbose = 1; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return usage_error(cmd, "unknown output format \"%s\": use "
                                   "text or json", optarg);
            json = strcmp(optarg, "json") == 0;
            break;
        case 'h': help(cmd); return -1;
        default: return option_error(cmd, argv, c);
        }
    }
    a->form = json ? MB_FORM_JSON : verbose ? MB_FORM_VERBOSE
                                            : MB_FORM_LINES;
    return take_dir(cmd, argc, argv, &a->dir);
}

/* Load DIR, prepare the printer, and print what cmd asks for. */
static int run(const char *cmd, int argc, char **argv)
{
    mb_project p = MB_PROJECT_INIT;
    mb_graph_text t = MB_GRAPH_TEXT_INIT;
    mb_error err = MB_ERROR_INIT;
    size_t *order = NULL, n = 0;
    graph_args a;
    mb_range range;
    int status = parse(&a, cmd, argc, argv), rc;

    if (status != EXIT_OK)
        return status < 0 ? EXIT_OK : status;
    if ((rc = mb_range_parse(&range, a.range, &err)) < 0)
        return fail(&err);
    if (mb_range_uses_current(&range))
        return usage_error(cmd, "\"current\" needs a database: use "
                           "app-migrate history -r %s", a.range);
    if ((rc = mb_project_open(&p, a.dir, &err)) < 0 ||
        (rc = mb_graph_text_init(&t, &p.graph, stdout, &err)) < 0)
        goto done;
    if (strcmp(cmd, "history") == 0) {
        rc = mb_plan_range(&order, &n, &p.graph, NULL, range.lower,
                           range.upper, &err);
        if (rc == MB_ETARGET)
            err.code = MB_EUSAGE;
        if (rc == MB_OK)
            mb_graph_text_history(&t, order, n, NULL, a.form);
    } else if (strcmp(cmd, "heads") == 0) {
        mb_graph_text_heads(&t, a.form);
    } else {
        rc = mb_graph_text_branches(&t, a.form, &err);
    }
done:
    free(order);
    mb_graph_text_free(&t);
    mb_project_free(&p);
    return rc < 0 ? fail(&err) : EXIT_OK;
}

int cmd_history(int argc, char **argv)
{
    return run("history", argc, argv);
}

int cmd_heads(int argc, char **argv)
{
    return run("heads", argc, argv);
}

int cmd_branches(int argc, char **argv)
{
    return run("branches", argc, argv);
}

/*
 * cmd_author.c -- migbundle revision and merge: the command lines over
 * author.c. Each prints the path of the file it wrote on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "author.h"
#include "cli.h"

enum { OPT_HEAD = 256, OPT_BRANCH_LABEL, OPT_DEPENDS_ON, OPT_REV_ID,
       OPT_SPLICE };

static void help_revision(void)
{
    printf(PROG " revision writes a new revision file under DIR: a random "
           "12-digit id,\nthe header filled in, empty up and down "
           "sections.\n\n"
           "Usage:\n"
           "  " PROG " revision DIR -m MESSAGE [OPTION]...\n\n"
           "Options:\n"
           "  -m, --message=MESSAGE  what the revision does (one line)\n"
           "      --head=REV         the parent: a head, LABEL@head, heads "
           "or base\n"
           "                         (default: the one head)\n"
           "      --splice           allow a parent that is not a head (a "
           "new branch)\n"
           "      --branch-label=L   a branch label of the new revision "
           "(repeatable)\n"
           "      --depends-on=REV   a revision it depends on "
           "(repeatable)\n"
           "      --rev-id=ID        this id instead of a random one\n"
           "  -h, --help             show this help, then exit\n\n"
           "The Create Date is the clock's (UTC), or SOURCE_DATE_EPOCH's "
           "when set.\n");
}

static void help_merge(void)
{
    printf(PROG " merge writes a revision file under DIR that joins heads "
           "of the graph.\n\n"
           "Usage:\n"
           "  " PROG " merge DIR -m MESSAGE REV... [OPTION]...\n"
           "  " PROG " merge DIR -m MESSAGE heads [OPTION]...\n\n"
           "Options:\n"
           "  -m, --message=MESSAGE  what the merge is for (one line)\n"
           "      --branch-label=L   a branch label of the merge "
           "(repeatable)\n"
           "      --rev-id=ID        this id instead of a random one\n"
           "  -h, --help             show this help, then exit\n");
}

/* Append v to list (n items, at most MB_AUTHOR_MAX_LIST). */
static int push(const char *cmd, const char **list, size_t *n,
                const char *opt, const char *v)
{
    if (*n >= MB_AUTHOR_MAX_LIST)
        return usage_error(cmd, "more than %d %s given", MB_AUTHOR_MAX_LIST,
                           opt);
    list[(*n)++] = v;
    return EXIT_OK;
}

/* Load DIR (an empty one too), write the file, print its path. */
static int write_revision(const char *dir, mb_author *a)
{
    mb_project p = MB_PROJECT_INIT;
    mb_error err = MB_ERROR_INIT;
    mb_buf path = MB_BUF_INIT;
    int status = EXIT_OK;

    if (mb_author_now(&a->created, &err) < 0 ||
        mb_project_open(&p, dir, &err) < 0 ||
        mb_author_write(&path, &p, a, &err) < 0)
        status = fail(&err);
    else
        printf("%s\n", path.ptr);
    mb_buf_free(&path);
    mb_project_free(&p);
    return status;
}

/* The options both commands take; 0 when c is not one of them. */
static int common_option(const char *cmd, mb_author *a, int c, int *status)
{
    switch (c) {
    case 'm': a->message = optarg; return 1;
    case OPT_BRANCH_LABEL:
        *status = push(cmd, a->labels, &a->n_labels, "--branch-label",
                       optarg);
        return 1;
    case OPT_REV_ID: a->rev_id = optarg; return 1;
    default: return 0;
    }
}

int cmd_revision(int argc, char **argv)
{
    static const struct option opts[] = {
        {"message", required_argument, NULL, 'm'},
        {"head", required_argument, NULL, OPT_HEAD},
        {"splice", no_argument, NULL, OPT_SPLICE},
        {"branch-label", required_argument, NULL, OPT_BRANCH_LABEL},
        {"depends-on", required_argument, NULL, OPT_DEPENDS_ON},
        {"rev-id", required_argument, NULL, OPT_REV_ID},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    mb_author a;
    int c, status = EXIT_OK;

    memset(&a, 0, sizeof a);
    while (status == EXIT_OK &&
           (c = getopt_long(argc, argv, ":m:h", opts, NULL)) != -1) {
        if (common_option("revision", &a, c, &status))
            continue;
        switch (c) {
        case OPT_HEAD:
            if (a.n_heads > 0)
                return usage_error("revision", "--head given twice");
            status = push("revision", a.heads, &a.n_heads, "--head", optarg);
            break;
        case OPT_SPLICE: a.splice = 1; break;
        case OPT_DEPENDS_ON:
            status = push("revision", a.depends_on, &a.n_depends_on,
                          "--depends-on", optarg);
            break;
        case 'h': help_revision(); return EXIT_OK;
        default: return option_error("revision", argv, c);
        }
    }
    if (status != EXIT_OK ||
        (status = take_dir("revision", argc, argv, &dir)) != EXIT_OK)
        return status;
    return write_revision(dir, &a);
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"message", required_argument, NULL, 'm'},
        {"branch-label", required_argument, NULL, OPT_BRANCH_LABEL},
        {"rev-id", required_argument, NULL, OPT_REV_ID},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir;
    mb_author a;
    int c, i, status = EXIT_OK;

    memset(&a, 0, sizeof a);
    a.merge = 1;
    while (status == EXIT_OK &&
           (c = getopt_long(argc, argv, ":m:h", opts, NULL)) != -1) {
        if (common_option("merge", &a, c, &status))
            continue;
        if (c == 'h') {
            help_merge();
            return EXIT_OK;
        }
        return option_error("merge", argv, c);
    }
    if (status != EXIT_OK)
        return status;
    if (optind >= argc)
        return usage_error("merge", "no migrations directory given");
    dir = argv[optind];
    if (optind + 1 >= argc)
        return usage_error("merge", "no revisions to merge given (name "
                           "them, or \"heads\")");
    for (i = optind + 1; i < argc && status == EXIT_OK; i++)
        status = push("merge", a.heads, &a.n_heads, "revisions", argv[i]);
    return status != EXIT_OK ? status : write_revision(dir, &a);
}

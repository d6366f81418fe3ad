/*
 * author.c -- write a new revision file (see author.h).
 *
 * The order of work: resolve the parents and dependencies against the
 * loaded graph, compose the header, check it with the parser that will
 * read it and the graph it joins, and only then create the file (O_EXCL:
 * an existing file is never touched). Every refusal is MB_EUSAGE with no
 * location, as the values came from the command line.
 */
#define _GNU_SOURCE /* getrandom() */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "author.h"
#include "mb/alloc.h"
#include "mb/plan.h"
#include "revfile.h"

#define RANDOM_TRIES 16 /* fresh ids tried before giving up */

/* The notice in the header's free text, after the keys. */
static const char notice[] =
    "--\n"
    "-- Write the change under \"-- migrate:up\" and its exact undo under\n"
    "-- \"-- migrate:down\"; the format is docs/format.md in migbundle's\n"
    "-- documentation.\n";

static int is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

void mb_author_slug(char *out, size_t size, const char *message)
{
    const unsigned char *s = (const unsigned char *)message;
    size_t n = 0, cut;

    /* the runs of word characters, joined by "_", up to one past the
     * limit (enough to know that it is over) */
    while (*s != '\0' && n <= MB_SLUG_MAX && n + 1 < size) {
        if (!is_word(*s)) {
            s++;
            continue;
        }
        if (n > 0)
            out[n++] = '_';
        while (is_word(*s) && n <= MB_SLUG_MAX && n + 1 < size) {
            unsigned char c = *s++;

            out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
    }
    if (n > MB_SLUG_MAX) {
        /* slug[:40].rsplit("_", 1)[0] + "_" */
        for (cut = MB_SLUG_MAX; cut > 0 && out[cut - 1] != '_'; cut--)
            ;
        n = cut > 0 ? cut - 1 : MB_SLUG_MAX;
        out[n++] = '_';
    }
    out[n] = '\0';
}

int mb_author_now(time_t *out, mb_error *err)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    long long v = 0;
    size_t i;

    if (s == NULL) {
        *out = time(NULL);
        return MB_OK;
    }
    /* whole seconds up to 9999-12-31T23:59:59Z */
    for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 12; i++)
        v = v * 10 + (s[i] - '0');
    if (i == 0 || s[i] != '\0' || v > 253402300799LL) {
        mb_error_set(err, MB_EUSAGE, "invalid SOURCE_DATE_EPOCH \"%.40s\"",
                     s);
        mb_error_hint(err, "give whole seconds since 1970-01-01 UTC, or "
                      "unset it to use the clock");
        return MB_EUSAGE;
    }
    *out = (time_t)v;
    return MB_OK;
}

/* A refusal: the values came from the command line, so no FILE:LINE. */
static int refuse(mb_error *err)
{
    err->file[0] = '\0';
    err->line = 0;
    err->code = MB_EUSAGE;
    return MB_EUSAGE;
}

/* The new revision's fields, resolved. */
typedef struct draft {
    char id[MB_ID_MAX + 1];
    const char *parents[MB_AUTHOR_MAX_LIST];
    size_t n_parents;
    const char *deps[MB_AUTHOR_MAX_LIST];
    size_t n_deps;
} draft;

static int random_id(draft *d, const mb_graph *g, mb_error *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[6];
    int tries;
    size_t i;

    for (tries = 0; tries < RANDOM_TRIES; tries++) {
        if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
            return mb_error_set(err, MB_EIO, "could not read the system's "
                                "random source: %s", strerror(errno));
        for (i = 0; i < sizeof b; i++) {
            d->id[2 * i] = hex[b[i] >> 4];
            d->id[2 * i + 1] = hex[b[i] & 15];
        }
        d->id[2 * sizeof b] = '\0';
        if (mb_graph_find(g, d->id) == MB_NONE)
            return MB_OK;
    }
    return mb_error_set(err, MB_EIO, "no free revision id after %d random "
                        "tries", RANDOM_TRIES);
}

static int pick_id(draft *d, const mb_project *p, const mb_author *a,
                   mb_error *err)
{
    size_t v;

    if (a->rev_id == NULL)
        return random_id(d, &p->graph, err);
    if (strlen(a->rev_id) > MB_ID_MAX) {
        mb_error_set(err, MB_EUSAGE, "invalid revision id \"%.40s...\"",
                     a->rev_id);
        mb_error_hint(err, "use 1 to %d letters, digits or underscores",
                      MB_ID_MAX);
        return MB_EUSAGE;
    }
    v = mb_graph_find(&p->graph, a->rev_id);
    if (v != MB_NONE) {
        mb_error_set(err, MB_EUSAGE, "revision id \"%s\" is taken by %s",
                     a->rev_id, p->graph.nodes[v].rev->path);
        mb_error_hint(err, "choose another --rev-id, or leave it out for a "
                      "random one");
        return MB_EUSAGE;
    }
    snprintf(d->id, sizeof d->id, "%s", a->rev_id);
    return MB_OK;
}

/* The revisions spec names (Alembic's get_revisions), as a refusal. */
static int names_of(size_t **v, size_t *n, const mb_project *p,
                    const char *spec, mb_error *err)
{
    int rc = mb_plan_revisions(v, n, &p->graph, NULL, spec, err);

    if (rc == MB_ETARGET)
        return refuse(err);
    return rc;
}

static int add_unique(const char **list, size_t *n, const char *id,
                      const char *what, mb_error *err)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp(list[i], id) == 0) {
            mb_error_set(err, MB_EUSAGE, "%s %s is given twice", what, id);
            mb_error_hint(err, "name each revision once");
            return MB_EUSAGE;
        }
    if (*n >= MB_AUTHOR_MAX_LIST) {
        mb_error_set(err, MB_EUSAGE, "more than %d %ss", MB_AUTHOR_MAX_LIST,
                     what);
        return MB_EUSAGE;
    }
    list[(*n)++] = id;
    return MB_OK;
}

static int several_heads(const mb_graph *g, mb_error *err)
{
    mb_error_set(err, MB_EUSAGE, "the graph has %zu heads (%s, %s%s): which "
                 "one does the new revision follow?", g->n_heads,
                 g->nodes[g->heads[0]].rev->id, g->nodes[g->heads[1]].rev->id,
                 g->n_heads > 2 ? ", ..." : "");
    mb_error_hint(err, "give --head REV (or LABEL@head), or join the heads "
                  "first with \"migbundle merge DIR heads\"");
    return MB_EUSAGE;
}

static int resolve_parents(draft *d, const mb_project *p, const mb_author *a,
                           mb_error *err)
{
    const mb_graph *g = &p->graph;
    size_t h, i, n, *v = NULL;
    int rc = MB_OK;

    if (a->n_heads == 0 && g->n == 0)
        return MB_OK; /* the first revision is a base */
    if (a->n_heads == 0 && g->n_heads > 1)
        return several_heads(g, err);
    for (h = 0; h < (a->n_heads ? a->n_heads : 1) && rc == MB_OK; h++) {
        const char *spec = a->n_heads ? a->heads[h] : "head";

        if ((rc = names_of(&v, &n, p, spec, err)) < 0)
            break;
        for (i = 0; i < n && rc == MB_OK; i++) {
            const mb_node *nd = &g->nodes[v[i]];

            if (nd->n_children > 0 && !a->splice) {
                mb_error_set(err, MB_EUSAGE, "revision %s is not a head",
                             nd->rev->id);
                mb_error_hint(err, a->merge
                              ? "merge heads only (see \"migbundle heads\")"
                              : "give --splice to start a new branch from "
                                "it, or --head with one of the heads");
                rc = MB_EUSAGE;
            } else {
                rc = add_unique(d->parents, &d->n_parents, nd->rev->id,
                                "parent", err);
            }
        }
        free(v);
        v = NULL;
    }
    if (rc == MB_OK && a->merge && d->n_parents < 2) {
        mb_error_set(err, MB_EUSAGE, "nothing to merge: the targets name %s",
                     d->n_parents ? d->parents[0] : "no revision");
        mb_error_hint(err, "name two heads or more, or \"heads\" when the "
                      "graph has several");
        rc = MB_EUSAGE;
    }
    return rc;
}

/* Depends On: each target one revision, written as its full id. */
static int resolve_deps(draft *d, const mb_project *p, const mb_author *a,
                        mb_error *err)
{
    size_t i, n, *v = NULL;
    int rc = MB_OK;

    for (i = 0; i < a->n_depends_on && rc == MB_OK; i++) {
        if ((rc = names_of(&v, &n, p, a->depends_on[i], err)) < 0)
            break;
        if (n != 1) {
            mb_error_set(err, MB_EUSAGE, "--depends-on \"%s\" names %zu "
                         "revisions", a->depends_on[i], n);
            mb_error_hint(err, "give one revision per --depends-on");
            rc = MB_EUSAGE;
        } else {
            rc = add_unique(d->deps, &d->n_deps,
                            p->graph.nodes[v[0]].rev->id, "dependency", err);
        }
        free(v);
        v = NULL;
    }
    return rc;
}

static int check_message(const char *m, mb_error *err)
{
    const unsigned char *s = (const unsigned char *)m;

    for (; *s != '\0'; s++)
        if (*s < 0x20 || *s == 0x7f) {
            mb_error_set(err, MB_EUSAGE, "the message has a control "
                         "character (0x%02x)", *s);
            mb_error_hint(err, "give a message of one line; longer notes "
                          "go in the file, after the keys");
            return MB_EUSAGE;
        }
    return MB_OK;
}

/*
 * A label with a comma or a space would be read back as several; a label
 * another revision has is named with its owner (the graph would name the
 * new file, which does not exist yet).
 */
static int check_labels(const mb_graph *g, const mb_author *a, mb_error *err)
{
    size_t i, l;

    for (i = 0; i < a->n_labels; i++) {
        if (strpbrk(a->labels[i], ", \t") != NULL || a->labels[i][0] == 0) {
            mb_error_set(err, MB_EUSAGE, "invalid branch label \"%s\"",
                         a->labels[i]);
            mb_error_hint(err, "give one label per --branch-label: 1 to %d "
                          "letters, digits or underscores", MB_ID_MAX);
            return MB_EUSAGE;
        }
        for (l = 0; l < g->n_labels; l++)
            if (strcmp(g->labels[l].label, a->labels[i]) == 0) {
                const mb_revision *r = g->nodes[g->labels[l].node].rev;

                mb_error_set(err, MB_EUSAGE, "branch label \"%s\" is taken "
                             "by revision %s (%s)", a->labels[i], r->id,
                             r->path);
                mb_error_hint(err, "a branch label names one branch; "
                              "choose another");
                return MB_EUSAGE;
            }
    }
    return MB_OK;
}

static int put_list(mb_buf *b, const char *key, const char *const *v,
                    size_t n, mb_error *err)
{
    size_t i;
    int rc = mb_buf_printf(b, err, "-- %s:", key);

    for (i = 0; i < n && rc == MB_OK; i++)
        rc = mb_buf_printf(b, err, "%s%s", i ? ", " : " ", v[i]);
    return rc == MB_OK ? mb_buf_puts(b, "\n", err) : rc;
}

static int compose(mb_buf *text, const draft *d, const mb_author *a,
                   const char *message, mb_error *err)
{
    char date[32];
    struct tm tm;
    int rc;

    if (gmtime_r(&a->created, &tm) == NULL ||
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        return mb_error_set(err, MB_EUSAGE, "the Create Date is out of "
                            "range");
    if ((rc = mb_buf_printf(text, err, "-- %s\n--\n-- Revision ID: %s\n",
                            message, d->id)) < 0 ||
        (rc = put_list(text, "Revises", d->parents, d->n_parents, err)) < 0 ||
        (rc = mb_buf_printf(text, err, "-- Create Date: %s\n", date)) < 0 ||
        (rc = put_list(text, "Branch Labels", a->labels, a->n_labels,
                       err)) < 0 ||
        (rc = put_list(text, "Depends On", d->deps, d->n_deps, err)) < 0)
        return rc;
    return mb_buf_puts(text, notice, err);
}

/*
 * The file as the parser reads it (a draft: its up section is empty) and
 * the graph with the new revision in it: what `build` will say of the
 * header once the SQL is written.
 */
static int check_draft(const mb_project *p, const char *name,
                       const mb_buf *text, mb_error *err)
{
    mb_arena arena = MB_ARENA_INIT;
    mb_revision *revs = mb_calloc(p->n_revs + 1, sizeof *revs);
    mb_graph g = MB_GRAPH_INIT;
    int rc;

    if (revs == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if (p->n_revs > 0)
        memcpy(revs, p->revs, p->n_revs * sizeof *revs);
    rc = mb_revfile_parse_flags(&revs[p->n_revs], &arena, name, name,
                                text->ptr, text->len, MB_REVFILE_DRAFT, err);
    if (rc == MB_OK)
        rc = mb_graph_build(&g, revs, p->n_revs + 1, err);
    if (rc == MB_EPARSE || rc == MB_EGRAPH)
        rc = refuse(err);
    mb_graph_free(&g);
    free(revs);
    mb_arena_free(&arena);
    return rc;
}

/* Create path exclusively and write text; on failure remove it again. */
static int create_file(const char *path, const mb_buf *text, mb_error *err)
{
    size_t done = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

    if (fd < 0) {
        if (errno == EEXIST) {
            mb_error_set(err, MB_EUSAGE, "%s exists", path);
            mb_error_hint(err, "give another --rev-id or message; an "
                          "existing file is never overwritten");
            return MB_EUSAGE;
        }
        return mb_error_set(err, MB_EIO, "could not create %s: %s", path,
                            strerror(errno));
    }
    while (done < text->len) {
        ssize_t w = write(fd, text->ptr + done, text->len - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (done < text->len || close(fd) != 0) {
        int e = errno;

        if (done < text->len)
            close(fd);
        unlink(path);
        return mb_error_set(err, MB_EIO, "could not write %s: %s", path,
                            strerror(e));
    }
    return MB_OK;
}

int mb_author_write(mb_buf *path, const mb_project *p, const mb_author *a,
                    mb_error *err)
{
    static const char body[] = "\n-- migrate:up\n\n\n-- migrate:down\n\n";
    const char *message = a->message ? a->message : "empty message";
    char slug[MB_SLUG_MAX + 2], name[MB_ID_MAX + MB_SLUG_MAX + 8];
    mb_buf text = MB_BUF_INIT;
    draft d;
    int rc;

    memset(&d, 0, sizeof d);
    mb_author_slug(slug, sizeof slug, a->message ? a->message : "");
    if ((rc = check_message(message, err)) < 0 ||
        (rc = check_labels(&p->graph, a, err)) < 0 ||
        (rc = pick_id(&d, p, a, err)) < 0 ||
        (rc = resolve_parents(&d, p, a, err)) < 0 ||
        (rc = resolve_deps(&d, p, a, err)) < 0 ||
        (rc = compose(&text, &d, a, message, err)) < 0)
        goto done;
    snprintf(name, sizeof name, "%s_%s.sql", d.id, slug);
    if ((rc = mb_buf_puts(&text, body, err)) < 0 ||
        (rc = check_draft(p, name, &text, err)) < 0 ||
        (rc = mb_scan_join(path, p->scan.dir, name, err)) < 0)
        goto done;
    rc = create_file(path->ptr, &text, err);
done:
    mb_buf_free(&text);
    return rc;
}

/*
 * scan.c -- find revision files under the migrations directory.
 *
 * An iterative depth-first walk with an explicit stack of at most
 * MB_SCAN_MAX_DEPTH + 1 open directories. Each directory's entries are
 * read whole and sorted before any is looked at, so that when a tree has
 * several problems the one reported does not depend on the file system's
 * order. Symbolic links are followed with stat(); the device and inode of
 * every directory on the current path detect a link back to an ancestor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mb/alloc.h"
#include "revfile.h"
#include "scan.h"

typedef struct frame {
    DIR *d;
    const char *rel;  /* borrowed from mb_scan.dirs */
    dev_t dev;
    ino_t ino;
    char **names;     /* entries, sorted */
    size_t n_names;
    size_t next;      /* next entry to look at */
} frame;

typedef struct walk {
    mb_scan *s;
    frame stack[MB_SCAN_MAX_DEPTH + 1];
    size_t depth;     /* frames in use */
    size_t cap_files;
    size_t cap_dirs;
    mb_buf shown;     /* DIR/rel of the entry being looked at */
} walk;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strv(char **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Append s (ownership moves, freed on failure) to the vector v. */
static int push_str(char ***v, size_t *n, size_t *cap, char *s, mb_error *err)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        char **p = mb_realloc(*v, ncap * sizeof *p);

        if (p == NULL) {
            free(s);
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        }
        *v = p;
        *cap = ncap;
    }
    (*v)[(*n)++] = s;
    return MB_OK;
}

static char *dup_str(const char *s)
{
    size_t len = strlen(s);
    char *p = mb_malloc(len + 1);

    if (p != NULL)
        memcpy(p, s, len + 1);
    return p;
}

int mb_scan_join(mb_buf *out, const char *dir, const char *rel,
                 mb_error *err)
{
    size_t len = strlen(dir);
    int rc;

    if ((rc = mb_buf_puts(out, dir, err)) < 0)
        return rc;
    if (rel[0] == '\0')
        return MB_OK;
    if (len > 0 && dir[len - 1] != '/' &&
        (rc = mb_buf_puts(out, "/", err)) < 0)
        return rc;
    return mb_buf_puts(out, rel, err);
}

static int ends_with_sql(const char *name)
{
    size_t len = strlen(name);

    return len > 4 && strcmp(name + len - 4, ".sql") == 0;
}

static const char *kind_name(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "not a regular file";
}

/* Read every entry of d except "." and ".." into f->names, sorted. */
static int read_names(frame *f, const char *shown, mb_error *err)
{
    size_t cap = 0;
    struct dirent *ent;
    int rc;

    for (;;) {
        errno = 0;
        ent = readdir(f->d);
        if (ent == NULL)
            break;
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        char *name = dup_str(ent->d_name);
        if (name == NULL)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        if ((rc = push_str(&f->names, &f->n_names, &cap, name, err)) < 0)
            return rc;
    }
    if (errno != 0)
        return mb_error_set(err, MB_EIO, "could not read directory \"%s\": %s",
                            shown, strerror(errno));
    if (f->n_names > 1)
        qsort(f->names, f->n_names, sizeof *f->names, cmp_str);
    return MB_OK;
}

/* Open the directory rel (shown as w->shown), record it, push a frame. */
static int enter_dir(walk *w, const char *rel, const struct stat *st,
                     mb_error *err)
{
    const char *shown = w->shown.ptr;
    mb_scan *s = w->s;
    frame *f;
    size_t i;
    char *copy;
    int rc;

    for (i = 0; i < w->depth; i++) {
        if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino) {
            mb_buf anc = MB_BUF_INIT;

            rc = mb_error_set(err, MB_EIO, "symbolic link loop at \"%s\"",
                              shown);
            if (mb_scan_join(&anc, s->dir, w->stack[i].rel, NULL) == MB_OK)
                mb_error_detail(err, "\"%s\" is the directory \"%s\", which "
                                "contains it", shown, anc.ptr);
            mb_error_hint(err, "remove the link that points back into the "
                          "tree");
            mb_buf_free(&anc);
            return rc;
        }
    }
    if (w->depth > MB_SCAN_MAX_DEPTH) {
        rc = mb_error_set(err, MB_EIO, "directory \"%s\" is nested too deeply",
                          shown);
        mb_error_detail(err, "the limit is %d levels below \"%s\"",
                        MB_SCAN_MAX_DEPTH, s->dir);
        return rc;
    }
    if (s->n_dirs >= MB_SCAN_MAX_DIRS) {
        rc = mb_error_set(err, MB_EIO, "too many directories under \"%s\"",
                          s->dir);
        mb_error_detail(err, "the limit is %d", MB_SCAN_MAX_DIRS);
        return rc;
    }
    copy = dup_str(rel);
    if (copy == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    if ((rc = push_str(&s->dirs, &s->n_dirs, &w->cap_dirs, copy, err)) < 0)
        return rc;
    f = &w->stack[w->depth];
    memset(f, 0, sizeof *f);
    f->rel = copy;
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    f->d = opendir(shown);
    if (f->d == NULL)
        return mb_error_set(err, MB_EIO, "could not open directory \"%s\": %s",
                            shown, strerror(errno));
    w->depth++;
    rc = read_names(f, shown, err);
    closedir(f->d);
    f->d = NULL;
    return rc;
}

static void pop_frame(walk *w)
{
    frame *f = &w->stack[--w->depth];

    if (f->d != NULL)
        closedir(f->d);
    free_strv(f->names, f->n_names);
    memset(f, 0, sizeof *f);
}

/* stat() failed for w->shown: say why, in the user's terms. */
static int stat_error(walk *w, int errnum, mb_error *err)
{
    const char *shown = w->shown.ptr;
    struct stat lst;
    int rc;

    if (errnum == ELOOP) {
        rc = mb_error_set(err, MB_EIO, "symbolic link loop at \"%s\"", shown);
        mb_error_detail(err, "resolving it gives: %s", strerror(errnum));
        mb_error_hint(err, "make the link point to a file or a directory");
        return rc;
    }
    if (errnum == ENOENT && lstat(shown, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        char target[4096];
        ssize_t n = readlink(shown, target, sizeof target - 1);

        rc = mb_error_set(err, MB_EIO, "dangling symbolic link \"%s\"", shown);
        if (n >= 0) {
            target[n] = '\0';
            mb_error_detail(err, "it points to \"%s\", which does not exist",
                            target);
        }
        mb_error_hint(err, "restore the link's target or remove the link");
        return rc;
    }
    return mb_error_set(err, MB_EIO, "could not access \"%s\": %s", shown,
                        strerror(errnum));
}

/* Look at one entry of the top frame: descend, record or ignore it. */
static int visit(walk *w, const char *name, mb_error *err)
{
    mb_scan *s = w->s;
    const char *parent = w->stack[w->depth - 1].rel;
    mb_buf rel = MB_BUF_INIT;
    struct stat st;
    int rc;

    if (parent[0] != '\0' &&
        ((rc = mb_buf_puts(&rel, parent, err)) < 0 ||
         (rc = mb_buf_puts(&rel, "/", err)) < 0))
        goto done;
    if ((rc = mb_buf_puts(&rel, name, err)) < 0)
        goto done;
    mb_buf_clear(&w->shown);
    if ((rc = mb_scan_join(&w->shown, s->dir, rel.ptr, err)) < 0)
        goto done;
    if (stat(w->shown.ptr, &st) != 0) {
        rc = stat_error(w, errno, err);
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = enter_dir(w, rel.ptr, &st, err);
    } else if (ends_with_sql(name)) {
        if (!S_ISREG(st.st_mode)) {
            rc = mb_error_set(err, MB_EIO, "\"%s\" is not a regular file",
                              w->shown.ptr);
            mb_error_detail(err, "it is %s", kind_name(st.st_mode));
            mb_error_hint(err, "revision files must be regular files; "
                          "rename or remove it");
            goto done;
        }
        if (s->n_files >= MB_SCAN_MAX_FILES) {
            rc = mb_error_set(err, MB_EIO,
                              "too many revision files under \"%s\"", s->dir);
            mb_error_detail(err, "the limit is %d", MB_SCAN_MAX_FILES);
            goto done;
        }
        rc = push_str(&s->files, &s->n_files, &w->cap_files,
                      mb_buf_take(&rel, NULL), err);
        if (rc == MB_OK && s->files[s->n_files - 1] == NULL) {
            s->n_files--;
            rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        }
    }
done:
    mb_buf_free(&rel);
    return rc;
}

/* DIR itself: it must exist and be a directory. */
static int enter_root(walk *w, mb_error *err)
{
    const char *dir = w->s->dir;
    struct stat st;
    int rc;

    mb_buf_clear(&w->shown);
    if ((rc = mb_buf_puts(&w->shown, dir, err)) < 0)
        return rc;
    if (stat(dir, &st) != 0) {
        rc = mb_error_set(err, MB_EIO, "could not access directory \"%s\": %s",
                          dir, strerror(errno));
        mb_error_hint(err, "give the directory that holds the revision "
                      "files (*.sql)");
        return rc;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = mb_error_set(err, MB_EIO, "\"%s\" is not a directory", dir);
        mb_error_hint(err, "give the directory that holds the revision "
                      "files (*.sql)");
        return rc;
    }
    return enter_dir(w, "", &st, err);
}

int mb_scan_dir(mb_scan *out, const char *dir, mb_error *err)
{
    walk w;
    size_t len = strlen(dir);
    int rc;

    memset(&w, 0, sizeof w);
    *out = (mb_scan)MB_SCAN_INIT;
    w.s = out;
    while (len > 1 && dir[len - 1] == '/')
        len--;
    out->dir = mb_malloc(len + 1);
    if (out->dir == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(out->dir, dir, len);
    out->dir[len] = '\0';

    if ((rc = enter_root(&w, err)) < 0)
        goto done;
    while (w.depth > 0) {
        frame *f = &w.stack[w.depth - 1];

        if (f->next == f->n_names) {
            pop_frame(&w);
            continue;
        }
        if ((rc = visit(&w, f->names[f->next++], err)) < 0)
            goto done;
    }
    if (out->n_files > 0) /* qsort must not get NULL, even for 0 items */
        qsort(out->files, out->n_files, sizeof *out->files, cmp_str);
    if (out->n_dirs > 0)
        qsort(out->dirs, out->n_dirs, sizeof *out->dirs, cmp_str);
done:
    while (w.depth > 0)
        pop_frame(&w);
    mb_buf_free(&w.shown);
    if (rc < 0)
        mb_scan_free(out);
    return rc;
}

void mb_scan_free(mb_scan *s)
{
    free(s->dir);
    free_strv(s->files, s->n_files);
    free_strv(s->dirs, s->n_dirs);
    *s = (mb_scan)MB_SCAN_INIT;
}

static int too_large(const char *path, unsigned long long size, mb_error *err)
{
    int rc = mb_error_set(err, MB_EIO, "file \"%s\" is too large", path);

    mb_error_detail(err, "it has %llu bytes; the limit is %zu (64 MiB)",
                    size, MB_REVFILE_MAX);
    mb_error_hint(err, "split the revision into several smaller ones");
    return rc;
}

int mb_scan_read(mb_buf *out, const char *path, mb_error *err)
{
    struct stat st;
    int fd, rc = MB_OK;

    mb_buf_clear(out);
    /* O_NONBLOCK: a FIFO swapped in after the scan must not hang us. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return mb_error_set(err, MB_EIO, "could not open file \"%s\": %s",
                            path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        rc = mb_error_set(err, MB_EIO, "could not stat file \"%s\": %s", path,
                          strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = mb_error_set(err, MB_EIO, "\"%s\" is not a regular file", path);
        mb_error_detail(err, "it is %s", kind_name(st.st_mode));
        goto done;
    }
    if ((unsigned long long)st.st_size > MB_REVFILE_MAX) {
        rc = too_large(path, (unsigned long long)st.st_size, err);
        goto done;
    }
    if ((rc = mb_buf_grow(out, (size_t)st.st_size, err)) < 0)
        goto done;
    for (;;) {
        ssize_t n;

        /* Read one byte past the limit to notice a file that grew. */
        if (out->len > MB_REVFILE_MAX) {
            rc = too_large(path, (unsigned long long)out->len, err);
            goto done;
        }
        if ((rc = mb_buf_grow(out, 65536, err)) < 0)
            goto done;
        n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mb_error_set(err, MB_EIO, "could not read file \"%s\": %s",
                              path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->ptr[out->len] = '\0';
    }
done:
    close(fd);
    if (rc < 0)
        mb_buf_free(out);
    return rc;
}

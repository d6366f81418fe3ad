/*
 * scan.h -- find revision files under the migrations directory.
 *
 * mb_scan_dir() walks DIR and returns every regular `*.sql` file in sorted
 * byte order of its path relative to DIR, plus every directory it read
 * (for the depfile). It does not parse contents; mb_scan_read() reads one
 * file with the size limit of a revision file.
 */
#ifndef MB_SCAN_H
#define MB_SCAN_H

#include <stddef.h>
#include "mb/buf.h"
#include "mb/error.h"

#define MB_SCAN_MAX_DEPTH 64      /* directory levels below DIR */
#define MB_SCAN_MAX_FILES 100000  /* revision files */
#define MB_SCAN_MAX_DIRS 100000   /* directories read, DIR included */

typedef struct mb_scan {
    char *dir;      /* DIR as given, without trailing slashes ("/" kept) */
    char **files;   /* relative paths, '/'-separated, sorted by strcmp */
    size_t n_files;
    char **dirs;    /* relative paths of the directories read; "" is DIR */
    size_t n_dirs;
} mb_scan;

#define MB_SCAN_INIT {NULL, NULL, 0, NULL, 0}

/**
 * Scan dir. Symbolic links are followed; a loop, a dangling link, an
 * unreadable directory, a `*.sql` that is not a regular file, too deep a
 * tree or too many files is MB_EIO with the path named as the user would
 * type it (DIR/REL). A directory without revision files is not an error
 * here (mb_project_load refuses it, `migbundle revision` starts there).
 *
 * @param out  filled on success, empty on failure; free with mb_scan_free
 * @return MB_OK, MB_EIO or MB_ENOMEM
 */
int mb_scan_dir(mb_scan *out, const char *dir, mb_error *err);

/** Release everything; accepts an mb_scan already freed or MB_SCAN_INIT. */
void mb_scan_free(mb_scan *s);

/**
 * Append DIR/rel to out, the path as shown in messages: "DIR/" is not
 * doubled, and rel "" gives DIR itself.
 */
int mb_scan_join(mb_buf *out, const char *dir, const char *rel,
                 mb_error *err);

/**
 * Read the file at path into out (replacing its contents). A file that is
 * not regular, or larger than MB_REVFILE_MAX, is MB_EIO naming path.
 */
int mb_scan_read(mb_buf *out, const char *path, mb_error *err);

#endif

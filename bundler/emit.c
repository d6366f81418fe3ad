/*
 * emit.c -- write the generated C source and its depfile.
 *
 * The generated file must compile warning-free at -std=c11 -Wall -Wextra
 * -Wpedantic with gcc and clang, and quickly even for 10,000 revisions.
 * Payloads are therefore string literals, not lists of 0x.. tokens: bytes
 * outside printable ASCII become three-digit octal escapes (never \x,
 * which swallows every hex digit that follows), and `"`, `\` and `?` are
 * escaped (the last because -std=c11 turns trigraphs on). Each array is
 * one byte longer than its payload so the literal's NUL always fits.
 * Every other string (ids, paths, messages, ...) goes through the same
 * escaping, so no input can break out of a literal. Comments hold only
 * ids and numbers, never text from the input.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "mb/alloc.h"
#include "mb/checksum.h"
#include "signer.h"

#define WIDTH 80 /* the generated file keeps to 80 columns */

/* Characters of the escaped form of byte c: 1, 2 or 4. */
static size_t escaped_len(unsigned char c)
{
    if (c == '"' || c == '\\' || c == '?')
        return 2;
    return c >= 0x20 && c < 0x7f ? 1 : 4;
}

static size_t escaped_total(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += escaped_len((unsigned char)s[i]);
    return n;
}

static int put_escaped(mb_buf *out, unsigned char c, mb_error *err)
{
    char tmp[5];

    if (c == '"' || c == '\\' || c == '?') {
        tmp[0] = '\\';
        tmp[1] = (char)c;
        return mb_buf_put(out, tmp, 2, err);
    }
    if (c >= 0x20 && c < 0x7f)
        return mb_buf_put(out, &c, 1, err);
    tmp[0] = '\\';
    tmp[1] = (char)('0' + (c >> 6));
    tmp[2] = (char)('0' + ((c >> 3) & 7));
    tmp[3] = (char)('0' + (c & 7));
    return mb_buf_put(out, tmp, 4, err);
}

/*
 * Append s[0..len) as adjacent string literals, each line holding at most
 * width escaped characters; lines after the first start with indent. An
 * escape is never split.
 */
static int put_literal(mb_buf *out, const char *s, size_t len,
                       const char *indent, size_t width, mb_error *err)
{
    size_t i, col = 0;
    int rc;

    if ((rc = mb_buf_put(out, "\"", 1, err)) < 0)
        return rc;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t w = escaped_len(c);

        if (col > 0 && col + w > width) {
            if ((rc = mb_buf_printf(out, err, "\"\n%s\"", indent)) < 0)
                return rc;
            col = 0;
        }
        if ((rc = put_escaped(out, c, err)) < 0)
            return rc;
        col += w;
    }
    return mb_buf_put(out, "\"", 1, err);
}

/*
 * Append `INDENT.NAME = "VALUE",` (or NULL), on one line when it fits,
 * else with the literal split over lines indented four more columns.
 */
static int put_field(mb_buf *out, const char *indent, const char *name,
                     const char *value, mb_error *err)
{
    char deeper[64];
    size_t head = strlen(indent) + strlen(name) + 4; /* ".NAME = " */
    size_t len;
    int rc;

    if (value == NULL)
        return mb_buf_printf(out, err, "%s.%s = NULL,\n", indent, name);
    len = strlen(value);
    if ((rc = mb_buf_printf(out, err, "%s.%s =", indent, name)) < 0)
        return rc;
    snprintf(deeper, sizeof deeper, "%s    ", indent);
    if (head + escaped_total(value, len) + 3 <= WIDTH) {
        rc = mb_buf_put(out, " ", 1, err);
    } else {
        rc = mb_buf_printf(out, err, "\n%s", deeper);
    }
    if (rc < 0 ||
        (rc = put_literal(out, value, len, deeper,
                          WIDTH - strlen(deeper) - 3, err)) < 0)
        return rc;
    return mb_buf_puts(out, ",\n", err);
}

static int valid_id(const char *id)
{
    size_t i;

    for (i = 0; id[i] != '\0'; i++) {
        char c = id[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return i >= 1 && i <= MB_ID_MAX;
}

/* `static const char *const mb_<what>_<id>[] = {"a", "b"};` */
static int put_strv(mb_buf *out, const char *what, const char *id,
                    const char *const *v, unsigned n, mb_error *err)
{
    unsigned i;
    int rc;

    if (n == 0)
        return MB_OK;
    if ((rc = mb_buf_printf(out, err,
                            "static const char *const mb_%s_%s[%u] = {\n",
                            what, id, n)) < 0)
        return rc;
    for (i = 0; i < n; i++) {
        if ((rc = mb_buf_puts(out, "    ", err)) < 0 ||
            (rc = put_literal(out, v[i], strlen(v[i]), "    ", WIDTH - 7,
                              err)) < 0 ||
            (rc = mb_buf_puts(out, ",\n", err)) < 0)
            return rc;
    }
    return mb_buf_puts(out, "};\n", err);
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case MB_SECTION_UP: return "MB_SECTION_UP";
    case MB_SECTION_DOWN: return "MB_SECTION_DOWN";
    default: return NULL;
    }
}

static const char *dialect_name(int dialect)
{
    switch (dialect) {
    case MB_DIALECT_ANY: return "MB_DIALECT_ANY";
    case MB_DIALECT_POSTGRESQL: return "MB_DIALECT_POSTGRESQL";
    case MB_DIALECT_SQLITE: return "MB_DIALECT_SQLITE";
    default: return NULL;
    }
}

static int put_sections(mb_buf *out, const mb_revision *r, mb_error *err)
{
    unsigned i;
    int rc;

    if (r->n_sections == 0)
        return MB_OK;
    if ((rc = mb_buf_printf(out, err,
                            "static const mb_section mb_sections_%s[%u] = {\n",
                            r->id, r->n_sections)) < 0)
        return rc;
    for (i = 0; i < r->n_sections; i++) {
        const mb_section *s = &r->sections[i];
        const char *kind = kind_name(s->kind);
        const char *dialect = dialect_name(s->dialect);

        if (kind == NULL || dialect == NULL)
            return mb_error_set(err, MB_ERROR, "revision \"%s\" has a "
                                "section of unknown kind %d or dialect %d",
                                r->id, s->kind, s->dialect);
        if ((rc = mb_buf_printf(out, err,
                                "    {.kind = %s, .dialect = %s,\n"
                                "     .transaction = %d, .line = %u, "
                                ".offset = %zu, .len = %zu},\n",
                                kind, dialect, s->transaction, s->line,
                                s->offset, s->len)) < 0)
            return rc;
    }
    return mb_buf_puts(out, "};\n", err);
}

/* The payload array and the side arrays of one revision. */
static int put_arrays(mb_buf *out, const mb_revision *r, mb_error *err)
{
    int rc;

    if ((rc = mb_buf_printf(out, err,
                            "\n/* %s: %zu bytes, %zu compressed */\n"
                            "static const unsigned char mb_z_%s[%zu + 1] "
                            "MB_PAYLOAD =\n"
                            "    ",
                            r->id, r->raw_len, r->z_len, r->id,
                            r->z_len)) < 0 ||
        (rc = put_literal(out, (const char *)r->data, r->z_len, "    ",
                          WIDTH - 7, err)) < 0 ||
        (rc = mb_buf_puts(out, ";\n", err)) < 0 ||
        (rc = put_strv(out, "revises", r->id, r->revises, r->n_revises,
                       err)) < 0 ||
        (rc = put_strv(out, "depends", r->id, r->depends_on,
                       r->n_depends_on, err)) < 0 ||
        (rc = put_strv(out, "labels", r->id, r->branch_labels,
                       r->n_branch_labels, err)) < 0)
        return rc;
    return put_sections(out, r, err);
}

/* `.FIELD = mb_WHAT_ID, .n_FIELD = N,` or NULL and 0. */
static int put_ref(mb_buf *out, const char *field, const char *what,
                   const char *id, unsigned n, mb_error *err)
{
    if (n == 0)
        return mb_buf_printf(out, err, "        .%s = NULL, .n_%s = 0,\n",
                             field, field);
    return mb_buf_printf(out, err, "        .%s = mb_%s_%s, .n_%s = %u,\n",
                         field, what, id, field, n);
}

static int put_record(mb_buf *out, const mb_revision *r, mb_error *err)
{
    const char *in = "        ";
    char stored[MB_CHECKSUM_HEX + 1];
    int rc;

    mb_checksum_stored_hex(stored, r->data, r->z_len, r->raw_len);
    if ((rc = mb_buf_puts(out, "    {\n", err)) < 0 ||
        (rc = put_field(out, in, "id", r->id, err)) < 0 ||
        (rc = put_field(out, in, "path", r->path, err)) < 0 ||
        (rc = put_field(out, in, "message", r->message, err)) < 0 ||
        (rc = put_field(out, in, "create_date", r->create_date, err)) < 0 ||
        (rc = put_ref(out, "revises", "revises", r->id, r->n_revises,
                      err)) < 0 ||
        (rc = put_ref(out, "depends_on", "depends", r->id, r->n_depends_on,
                      err)) < 0 ||
        (rc = put_ref(out, "branch_labels", "labels", r->id,
                      r->n_branch_labels, err)) < 0 ||
        (rc = mb_buf_printf(out, err,
                            "%s.id_line = %u, .revises_line = %u,\n"
                            "%s.depends_line = %u, .labels_line = %u,\n",
                            in, r->id_line, r->revises_line, in,
                            r->depends_line, r->labels_line)) < 0 ||
        (rc = put_ref(out, "sections", "sections", r->id, r->n_sections,
                      err)) < 0 ||
        (rc = put_field(out, in, "checksum", r->checksum, err)) < 0 ||
        (rc = put_field(out, in, "stored_checksum", stored, err)) < 0 ||
        (rc = mb_buf_printf(out, err,
                            "%s.data = mb_z_%s, .z_len = %zu, "
                            ".raw_len = %zu,\n",
                            in, r->id, r->z_len, r->raw_len)) < 0 ||
        (rc = put_field(out, in, "meta_checksum", r->meta_checksum,
                        err)) < 0 ||
        (rc = mb_buf_puts(out, "    },\n", err)) < 0)
        return rc;
    return MB_OK;
}

static int check_revision(const mb_revision *r, mb_error *err)
{
    if (r->id == NULL || !valid_id(r->id))
        return mb_error_set(err, MB_ERROR, "revision id \"%s\" cannot be "
                            "emitted as part of a C identifier",
                            r->id ? r->id : "(null)");
    if (r->z_len == 0 || r->data == NULL || r->checksum == NULL)
        return mb_error_set(err, MB_ERROR, "revision \"%s\" has no "
                            "compressed payload to emit", r->id);
    return MB_OK;
}

/*
 * The bundle record: b's fields, its metadata checksum, and with sign_key
 * (a PEM file) the release signature of both checksums (signer.h).
 */
static int put_bundle(mb_buf *out, const mb_bundle *b, const char *sign_key,
                      mb_error *err)
{
    const char *in = "    ";
    char meta[MB_CHECKSUM_HEX + 1];
    mb_release_signature sig;
    mb_bundle sealed = *b;
    int rc;

    if ((rc = mb_bundle_meta_hex(meta, b, err)) < 0)
        return rc;
    sealed.meta_checksum = meta;
    if (sign_key != NULL &&
        (rc = mb_sign_bundle(&sig, &sealed, sign_key, err)) < 0)
        return rc;
    if ((rc = mb_buf_puts(out, "\nconst mb_bundle mb_embedded_bundle = {\n"
                          "    .magic = MB_BUNDLE_MAGIC,\n"
                          "    .abi = MB_BUNDLE_ABI_VERSION,\n", err)) < 0 ||
        (rc = put_field(out, in, "name", b->name, err)) < 0 ||
        (rc = put_field(out, in, "generator", b->generator, err)) < 0 ||
        (rc = mb_buf_printf(out, err,
                            "    .revisions = %s,\n"
                            "    .n_revisions = %u,\n",
                            b->n_revisions ? "mb_revisions" : "NULL",
                            b->n_revisions)) < 0 ||
        (rc = put_field(out, in, "digest", b->digest, err)) < 0 ||
        (rc = put_field(out, in, "default_db", b->default_db, err)) < 0 ||
        (rc = put_field(out, in, "meta_checksum", meta, err)) < 0 ||
        (rc = put_field(out, in, "signer_key", sign_key ? sig.key : NULL,
                        err)) < 0 ||
        (rc = put_field(out, in, "signature", sign_key ? sig.sig : NULL,
                        err)) < 0)
        return rc;
    return mb_buf_puts(out, "};\n", err);
}

/*
 * The records as emitted: b's revisions with their metadata checksums
 * (mb_revision_meta_hex), in revs and sums of b->n_revisions each.
 */
static int with_meta(mb_revision *revs, char (*sums)[MB_CHECKSUM_HEX + 1],
                     const mb_bundle *b, mb_error *err)
{
    unsigned i;
    int rc;

    for (i = 0; i < b->n_revisions; i++) {
        revs[i] = b->revisions[i];
        if ((rc = mb_revision_meta_hex(sums[i], &revs[i], err)) < 0)
            return rc;
        revs[i].meta_checksum = sums[i];
    }
    return MB_OK;
}

static int emit_c(mb_buf *out, const mb_bundle *b, const char *sign_key,
                  mb_error *err);

int mb_emit_c(mb_buf *out, const mb_bundle *b, const char *sign_key,
              mb_error *err)
{
    size_t n = b->n_revisions ? b->n_revisions : 1;
    mb_revision *revs = mb_calloc(n, sizeof *revs);
    char (*sums)[MB_CHECKSUM_HEX + 1] = mb_calloc(n, sizeof *sums);
    mb_bundle copy = *b;
    unsigned i;
    int rc;

    if (revs == NULL || sums == NULL) {
        rc = mb_error_set(err, MB_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < b->n_revisions; i++) {
        if ((rc = check_revision(&b->revisions[i], err)) < 0)
            goto done;
    }
    if ((rc = with_meta(revs, sums, b, err)) < 0)
        goto done;
    copy.revisions = revs;
    rc = emit_c(out, &copy, sign_key, err);
done:
    free(revs);
    free(sums);
    return rc;
}

/* mb_emit_c() once every record carries its metadata checksum. */
static int emit_c(mb_buf *out, const mb_bundle *b, const char *sign_key,
                  mb_error *err)
{
    unsigned i;
    int rc;

    if ((rc = mb_buf_printf(
             out, err,
             "/*\n"
             " * generated by migbundle " MB_VERSION " from %u revision%s\n"
             " * DO NOT EDIT: change the revision files or fix migbundle "
             "instead.\n"
             " */\n"
             "#include \"mb/bundle.h\"\n"
             "\n"
             "/* Payloads may be longer than the 4095 characters C requires "
             "compilers\n"
             " * to support in a literal; gcc and clang support any length. "
             "*/\n"
             "#if defined(__GNUC__)\n"
             "#pragma GCC diagnostic ignored \"-Woverlength-strings\"\n"
             "#endif\n"
             "\n"
             "/* The compressed payloads, in a section of their own that "
             "the linker\n"
             " * script migbundle-payload.ld puts last in the file, so "
             "that an\n"
             " * executable cut short loses payload bytes before anything "
             "it needs\n"
             " * to start, and says so (exit 3). */\n"
             "#if defined(__ELF__) && defined(__GNUC__)\n"
             "#define MB_PAYLOAD __attribute__((section(\"mb_payload\")))\n"
             "#else\n"
             "#define MB_PAYLOAD\n"
             "#endif\n"
             "\n"
             "extern const mb_bundle mb_embedded_bundle;\n",
             b->n_revisions, b->n_revisions == 1 ? "" : "s")) < 0)
        return rc;
    for (i = 0; i < b->n_revisions; i++) {
        if ((rc = put_arrays(out, &b->revisions[i], err)) < 0)
            return rc;
    }
    if (b->n_revisions > 0) {
        if ((rc = mb_buf_printf(out, err,
                                "\nstatic const mb_revision "
                                "mb_revisions[%u] = {\n",
                                b->n_revisions)) < 0)
            return rc;
        for (i = 0; i < b->n_revisions; i++) {
            if ((rc = put_record(out, &b->revisions[i], err)) < 0)
                return rc;
        }
        if ((rc = mb_buf_puts(out, "};\n", err)) < 0)
            return rc;
    }
    return put_bundle(out, b, sign_key, err);
}

/* Append path escaped for make: spaces and '#' with '\', '$' as "$$". */
static int put_dep_path(mb_buf *out, const char *path, mb_error *err)
{
    const char *p;
    int rc = MB_OK;

    for (p = path; *p != '\0' && rc == MB_OK; p++) {
        if (*p == '\n' || *p == '\r')
            return mb_error_set(err, MB_ERROR, "path \"%s\" cannot be "
                                "written to a depfile (line break)", path);
        if (*p == ' ' || *p == '\t' || *p == '#')
            rc = mb_buf_put(out, "\\", 1, err);
        else if (*p == '$')
            rc = mb_buf_put(out, "$", 1, err);
        if (rc == MB_OK)
            rc = mb_buf_put(out, p, 1, err);
    }
    return rc;
}

/* Append sep, then ABS/rel escaped. */
static int put_dep(mb_buf *out, const char *sep, const mb_buf *abs,
                   const char *rel, mb_error *err)
{
    mb_buf path = MB_BUF_INIT;
    int rc;

    if ((rc = mb_buf_puts(out, sep, err)) < 0 ||
        (rc = mb_scan_join(&path, abs->ptr, rel, err)) < 0)
        return rc;
    rc = put_dep_path(out, path.ptr, err);
    mb_buf_free(&path);
    return rc;
}

int mb_emit_depfile(mb_buf *out, const char *target, const mb_scan *scan,
                    mb_error *err)
{
    mb_buf abs = MB_BUF_INIT;
    char cwd[PATH_MAX];
    size_t i;
    int rc;

    if (scan->dir[0] != '/') {
        if (getcwd(cwd, sizeof cwd) == NULL)
            return mb_error_set(err, MB_EIO, "could not get the current "
                                "directory: %s", strerror(errno));
        if ((rc = mb_scan_join(&abs, cwd, scan->dir, err)) < 0)
            goto done;
    } else if ((rc = mb_buf_puts(&abs, scan->dir, err)) < 0) {
        goto done;
    }
    if ((rc = put_dep_path(out, target, err)) < 0 ||
        (rc = mb_buf_puts(out, ":", err)) < 0)
        goto done;
    for (i = 0; i < scan->n_dirs; i++) {
        if ((rc = put_dep(out, " \\\n  ", &abs, scan->dirs[i], err)) < 0)
            goto done;
    }
    for (i = 0; i < scan->n_files; i++) {
        if ((rc = put_dep(out, " \\\n  ", &abs, scan->files[i], err)) < 0)
            goto done;
    }
    if ((rc = mb_buf_puts(out, "\n", err)) < 0)
        goto done;
    /* An empty rule per dependency, as gcc -MP writes: make then treats
     * a deleted revision or directory as out of date instead of failing
     * for want of a rule to make it. */
    for (i = 0; i < scan->n_dirs; i++) {
        if ((rc = put_dep(out, "\n", &abs, scan->dirs[i], err)) < 0 ||
            (rc = mb_buf_puts(out, ":\n", err)) < 0)
            goto done;
    }
    for (i = 0; i < scan->n_files; i++) {
        if ((rc = put_dep(out, "\n", &abs, scan->files[i], err)) < 0 ||
            (rc = mb_buf_puts(out, ":\n", err)) < 0)
            goto done;
    }
done:
    mb_buf_free(&abs);
    return rc;
}

/* 1 when the file at path holds exactly text[0..len), 0 otherwise. */
static int same_content(const char *path, const char *text, size_t len)
{
    char chunk[65536];
    struct stat st;
    size_t off = 0;
    int fd, same = 0;

    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (unsigned long long)st.st_size != (unsigned long long)len)
        goto done;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (size_t)n > len - off)
            goto done;
        if (n == 0)
            break;
        if (memcmp(chunk, text + off, (size_t)n) != 0)
            goto done;
        off += (size_t)n;
    }
    same = off == len;
done:
    close(fd);
    return same;
}

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

int mb_emit_write(const char *path, const char *text, size_t len,
                  int *changed, mb_error *err)
{
    mb_buf tmp = MB_BUF_INIT;
    unsigned attempt;
    int fd = -1, created = 0, rc;

    *changed = 0;
    if (same_content(path, text, len))
        return MB_OK;
    for (attempt = 0; fd < 0; attempt++) {
        mb_buf_clear(&tmp);
        if ((rc = mb_buf_printf(&tmp, err, "%s.tmp%ld.%u", path,
                                (long)getpid(), attempt)) < 0)
            goto done;
        /* 0666: the umask decides, as for any file the user creates. */
        fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && (errno != EEXIST || attempt == 99)) {
            rc = mb_error_set(err, MB_EIO, "could not create file \"%s\": %s",
                              tmp.ptr, strerror(errno));
            goto done;
        }
    }
    created = 1;
    if (write_all(fd, text, len) != 0) {
        rc = mb_error_set(err, MB_EIO, "could not write file \"%s\": %s",
                          tmp.ptr, strerror(errno));
        goto done;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = mb_error_set(err, MB_EIO, "could not write file \"%s\": %s",
                          tmp.ptr, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp.ptr, path) != 0) {
        rc = mb_error_set(err, MB_EIO, "could not rename \"%s\" to \"%s\": %s",
                          tmp.ptr, path, strerror(errno));
        goto done;
    }
    created = 0;
    *changed = 1;
    rc = MB_OK;
done:
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp.ptr);
    mb_buf_free(&tmp);
    return rc;
}

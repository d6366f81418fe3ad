/*
 * verify.c -- integrity checks (see mb/verify.h).
 *
 * Two questions, asked before any SQL runs: is the executable's own bundle
 * what migbundle wrote (the stored payloads hash to their stored checksums
 * or, deeper, inflate to the recorded length and hash to the recorded
 * checksum; each record's section table lies inside its text; the digest
 * matches), and does the database's
 * version table agree with it (same checksums, no unknown revisions, no
 * applied revision missing an ancestor).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/checksum.h"
#include "mb/fault.h"
#include "mb/revision.h"
#include "mb/verify.h"
#include "mb/zip.h"

void mb_versions_free(mb_versions *v)
{
    free(v->rows);
    v->rows = NULL;
    v->n = 0;
    mb_arena_free(&v->text);
}

int mb_report_add(mb_report *r, mb_error *err, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if ((rc = mb_buf_puts(&r->text, line, err)) < 0 ||
        (rc = mb_buf_puts(&r->text, "\n", err)) < 0)
        return rc;
    r->count++;
    return MB_OK;
}

void mb_report_free(mb_report *r)
{
    mb_buf_free(&r->text);
    r->count = 0;
}

int mb_payload_text(mb_buf *out, mb_inflater *inf, const mb_revision *rev,
                    mb_error *err)
{
    char sum[MB_CHECKSUM_HEX + 1];
    int rc;

    if ((rc = MB_FAULT("inflate", err)) < 0)
        return rc;
    if (rev->z_len == 0) {
        mb_buf_clear(out);
        if ((rc = mb_buf_put(out, rev->data, rev->raw_len, err)) < 0)
            return rc;
    } else if ((rc = inf ? mb_inflater_run(inf, out, rev->data, rev->z_len,
                                           rev->raw_len, err)
                         : mb_zip_inflate(out, rev->data, rev->z_len,
                                          rev->raw_len, err)) < 0) {
        mb_error_set(err, rc, "embedded payload of revision %s (%s) is "
                     "corrupt: %s", rev->id, rev->path,
                     rc == MB_EINTEGRITY ? "it does not inflate to its "
                     "recorded length" : "out of memory");
        return rc;
    }
    mb_checksum_hex(sum, out->ptr, out->len);
    if (strcmp(sum, rev->checksum) != 0) {
        mb_error_set(err, MB_EINTEGRITY, "embedded payload of revision %s "
                     "(%s) does not match its checksum", rev->id, rev->path);
        mb_error_detail(err, "recorded %s, computed %s", rev->checksum, sum);
        return MB_EINTEGRITY;
    }
    return MB_OK;
}

/* The stored bytes of rev against its stored checksum. */
static int stored_check(const mb_revision *rev, mb_error *err)
{
    char sum[MB_CHECKSUM_HEX + 1];

    mb_checksum_stored_hex(sum, rev->data, rev->z_len, rev->raw_len);
    if (strcmp(sum, rev->stored_checksum) == 0)
        return MB_OK;
    mb_error_set(err, MB_EINTEGRITY, "embedded payload of revision %s (%s) "
                 "is corrupt: its stored bytes do not match their checksum",
                 rev->id, rev->path);
    mb_error_detail(err, "recorded %s, computed %s", rev->stored_checksum,
                    sum);
    return MB_EINTEGRITY;
}

/*
 * The record's fields against what the parser guarantees of every revision
 * it accepts (list counts, the section table), so that neither the metadata
 * checksum nor a section reads outside its array or its payload's text;
 * then every field against the record's metadata checksum. Call it once
 * the payload checks passed: they cover raw_len.
 */
/* s is [A-Za-z0-9_]{1,MB_ID_MAX}, read at most MB_ID_MAX + 1 bytes far. */
static int id_ok(const char *s)
{
    size_t i;

    if (s == NULL)
        return 0;
    for (i = 0; i <= MB_ID_MAX && s[i] != '\0'; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return i >= 1 && i <= MB_ID_MAX;
}

/* The id and every list item of rev are ids, as the parser made them: then
 * no id holds the space or newline that separate the fields of the
 * metadata serialization. Writes the first that is not into what. */
static void check_ids(const mb_revision *rev, char *what, size_t size)
{
    const char *const *lists[3] = {rev->revises, rev->depends_on,
                                   rev->branch_labels};
    const unsigned counts[3] = {rev->n_revises, rev->n_depends_on,
                                rev->n_branch_labels};
    static const char *const names[3] = {"parent", "dependency",
                                         "branch label"};
    unsigned i, k;

    if (!id_ok(rev->id)) {
        snprintf(what, size, "its id is not a revision id");
        return;
    }
    for (k = 0; k < 3; k++) {
        for (i = 0; i < counts[k]; i++) {
            if (lists[k] == NULL || !id_ok(lists[k][i])) {
                snprintf(what, size, "its %s %u is not an id", names[k],
                         i + 1);
                return;
            }
        }
    }
}

/* Every field the runtime acts on against rev->meta_checksum. */
static int meta_check(const mb_revision *rev, mb_error *err)
{
    char sum[MB_CHECKSUM_HEX + 1];
    int rc;

    if ((rc = mb_revision_meta_hex(sum, rev, err)) < 0)
        return rc;
    if (rev->meta_checksum != NULL && strcmp(sum, rev->meta_checksum) == 0)
        return MB_OK;
    mb_error_set(err, MB_EINTEGRITY, "embedded revision %s (%s) is corrupt: "
                 "its metadata (header, parents, dependencies, labels or "
                 "section table) do not match their checksum (recorded %s, "
                 "computed %s)", rev->id, rev->path,
                 rev->meta_checksum ? rev->meta_checksum : "none", sum);
    return MB_EINTEGRITY;
}

static int check_record(const mb_revision *rev, mb_error *err)
{
    char what[256] = "";
    unsigned i, j;

    if (rev->n_sections > MB_REVISION_MAX_SECTIONS ||
        rev->n_revises > MB_REVISION_MAX_ITEMS ||
        rev->n_depends_on > MB_REVISION_MAX_ITEMS ||
        rev->n_branch_labels > MB_REVISION_MAX_ITEMS)
        snprintf(what, sizeof what, "it counts %u sections, %u parents, "
                 "%u dependencies and %u branch labels", rev->n_sections,
                 rev->n_revises, rev->n_depends_on, rev->n_branch_labels);
    for (i = 0; what[0] == '\0' && i < rev->n_sections; i++) {
        const mb_section *s = &rev->sections[i];

        if ((s->kind != MB_SECTION_UP && s->kind != MB_SECTION_DOWN) ||
            s->dialect < MB_DIALECT_ANY || s->dialect > MB_DIALECT_SQLITE ||
            (s->transaction != 0 && s->transaction != 1))
            snprintf(what, sizeof what, "section %u has kind %d, dialect "
                     "%d, transaction %d", i + 1, s->kind, s->dialect,
                     s->transaction);
        else if (s->offset > rev->raw_len ||
                 s->len > rev->raw_len - s->offset)
            snprintf(what, sizeof what, "section %u (offset %zu, length "
                     "%zu) lies outside its %zu-byte text", i + 1,
                     s->offset, s->len, rev->raw_len);
        for (j = 0; what[0] == '\0' && j < i; j++) {
            if (rev->sections[j].kind == s->kind &&
                rev->sections[j].dialect == s->dialect)
                snprintf(what, sizeof what, "sections %u and %u have the "
                         "same kind and dialect", j + 1, i + 1);
        }
    }
    if (what[0] == '\0')
        check_ids(rev, what, sizeof what);
    if (what[0] == '\0' &&
        (mb_revision_section(rev, MB_SECTION_UP, MB_DIALECT_POSTGRESQL) ==
             NULL ||
         mb_revision_section(rev, MB_SECTION_UP, MB_DIALECT_SQLITE) == NULL))
        snprintf(what, sizeof what, "it has no up section for every "
                 "dialect");
    if (what[0] == '\0')
        return meta_check(rev, err);
    return mb_error_set(err, MB_EINTEGRITY, "embedded revision %s (%s) is "
                        "corrupt: %s", rev->id, rev->path, what);
}

int mb_bundle_selfcheck(const mb_bundle *b, int depth, mb_report *rep,
                        mb_error *err)
{
    mb_buf text = MB_BUF_INIT;
    mb_inflater inf = MB_INFLATER_INIT;
    char digest[MB_CHECKSUM_HEX + 1];
    mb_error e = MB_ERROR_INIT;
    unsigned i;
    int rc = MB_OK;

    if (b->magic != MB_BUNDLE_MAGIC || b->abi != MB_BUNDLE_ABI_VERSION)
        return mb_report_add(rep, err, "bundle header is invalid (magic "
                             "%#x, ABI %u; this runtime reads ABI %u)",
                             b->magic, b->abi, MB_BUNDLE_ABI_VERSION);
    for (i = 0; i < b->n_revisions; i++) {
        const mb_revision *rev = &b->revisions[i];

        /* a revision kept as text (z_len == 0) has no stored checksum:
         * its text is hashed against its checksum at either depth */
        rc = rev->stored_checksum != NULL ? stored_check(rev, &e) : MB_OK;
        if (rc == MB_OK &&
            (depth == MB_SELFCHECK_DEEP || rev->stored_checksum == NULL))
            rc = mb_payload_text(&text, &inf, rev, &e);
        if (rc == MB_OK)
            rc = check_record(rev, &e);
        if (rc == MB_ENOMEM) {
            *err = e;
            goto done;
        }
        if (rc < 0 && (rc = mb_report_add(rep, err, "%s", e.msg)) < 0)
            goto done;
    }
    if ((rc = mb_bundle_digest(digest, b->revisions, b->n_revisions,
                               err)) < 0)
        goto done;
    if (strcmp(digest, b->digest) != 0 &&
        (rc = mb_report_add(rep, err, "bundle digest %s does not match the "
                            "embedded revisions (computed %s)", b->digest,
                            digest)) < 0)
        goto done;
    if ((rc = mb_bundle_meta_hex(digest, b, err)) < 0)
        goto done;
    if (b->meta_checksum == NULL || strcmp(digest, b->meta_checksum) != 0)
        rc = mb_report_add(rep, err, "bundle metadata (name, generator, "
                           "default database, digest or the revisions' "
                           "metadata checksums) do not match their checksum "
                           "(recorded %s, computed %s)",
                           b->meta_checksum ? b->meta_checksum : "none",
                           digest);
done:
    mb_inflater_free(&inf);
    mb_buf_free(&text);
    return rc;
}

int mb_versions_check(const mb_graph *g, const mb_versions *v,
                      unsigned char *applied, mb_report *rep, mb_error *err)
{
    size_t i, j;
    int rc;

    memset(applied, 0, g->n);
    for (i = 0; i < v->n; i++) {
        const mb_version_row *row = &v->rows[i];
        size_t node = mb_graph_find(g, row->revision);

        if (node == MB_NONE) {
            if ((rc = mb_report_add(rep, err, "revision %s is recorded as "
                                    "applied (at %s, by bundle %s) but this "
                                    "bundle does not contain it",
                                    row->revision, row->applied_at,
                                    row->bundle_digest)) < 0)
                return rc;
            continue;
        }
        applied[node] = 1;
        if (!mb_checksum_valid(row->checksum)) {
            if ((rc = mb_report_add(rep, err, "revision %s (%s): recorded "
                                    "checksum \"%.64s\" is malformed (not "
                                    "%d lowercase hex digits); the embedded "
                                    "is %s", row->revision,
                                    g->nodes[node].rev->path, row->checksum,
                                    MB_CHECKSUM_HEX,
                                    g->nodes[node].rev->checksum)) < 0)
                return rc;
        } else if (strcmp(row->checksum, g->nodes[node].rev->checksum) != 0 &&
            (rc = mb_report_add(rep, err, "revision %s (%s): recorded "
                                "checksum %s differs from the embedded %s",
                                row->revision, g->nodes[node].rev->path,
                                row->checksum,
                                g->nodes[node].rev->checksum)) < 0)
            return rc;
    }
    /* the applied set must be closed under Revises and Depends On */
    for (i = 0; i < g->n; i++) {
        const mb_node *nd = &g->nodes[i];

        if (!applied[i])
            continue;
        for (j = 0; j < nd->n_parents + nd->n_deps; j++) {
            size_t p = j < nd->n_parents ? nd->parents[j]
                                         : nd->deps[j - nd->n_parents];
            if (!applied[p] &&
                (rc = mb_report_add(rep, err, "revision %s is recorded as "
                                    "applied but its %s %s is not",
                                    nd->rev->id,
                                    j < nd->n_parents ? "parent"
                                                      : "dependency",
                                    g->nodes[p].rev->id)) < 0)
                return rc;
        }
    }
    return MB_OK;
}

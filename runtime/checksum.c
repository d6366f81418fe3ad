/*
 * checksum.c -- canonical form and XXH3-128 checksums (see mb/checksum.h).
 *
 * The only file that includes <xxhash.h>.
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "mb/alloc.h"
#include "mb/checksum.h"

int mb_canonicalize(mb_buf *out, const char *text, size_t len, mb_error *err)
{
    size_t i = 0, start;
    int rc;

    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if ((rc = mb_buf_grow(out, len - i, err)) < 0)
        return rc;
    start = i;
    for (; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') {
            /* copy up to the CR, drop it; the LF starts the next run */
            if ((rc = mb_buf_put(out, text + start, i - start, err)) < 0)
                return rc;
            start = i + 1;
        }
    }
    return mb_buf_put(out, text + start, len - start, err);
}

static void hash_hex(char out[MB_CHECKSUM_HEX + 1], XXH128_hash_t h)
{
    static const char digits[] = "0123456789abcdef";
    XXH128_canonical_t c;
    size_t i;

    XXH128_canonicalFromHash(&c, h);
    for (i = 0; i < sizeof c.digest; i++) {
        out[2 * i] = digits[c.digest[i] >> 4];
        out[2 * i + 1] = digits[c.digest[i] & 0xf];
    }
    out[MB_CHECKSUM_HEX] = '\0';
}

void mb_checksum_hex(char out[MB_CHECKSUM_HEX + 1], const void *data,
                     size_t len)
{
    hash_hex(out, XXH3_128bits(data, len));
}

void mb_checksum_stored_hex(char out[MB_CHECKSUM_HEX + 1], const void *data,
                            size_t len, unsigned long long seed)
{
    hash_hex(out, XXH3_128bits_withSeed(data, len, (XXH64_hash_t)seed));
}

int mb_checksum_valid(const char *s)
{
    size_t i;

    for (i = 0; i < MB_CHECKSUM_HEX; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return s[MB_CHECKSUM_HEX] == '\0';
}

static int by_id(const void *a, const void *b)
{
    const mb_revision *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

int mb_bundle_digest(char out[MB_CHECKSUM_HEX + 1], const mb_revision *revs,
                     size_t n, mb_error *err)
{
    const mb_revision **sorted = NULL;
    mb_buf text = MB_BUF_INIT;
    size_t i;
    int rc;

    sorted = mb_malloc((n ? n : 1) * sizeof *sorted);
    if (sorted == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    for (i = 0; i < n; i++)
        sorted[i] = &revs[i];
    qsort(sorted, n, sizeof *sorted, by_id);
    if ((rc = mb_buf_puts(&text, MB_DIGEST_FORMAT "\n", err)) < 0)
        goto done;
    for (i = 0; i < n; i++) {
        if ((rc = mb_buf_puts(&text, sorted[i]->id, err)) < 0 ||
            (rc = mb_buf_put(&text, " ", 1, err)) < 0 ||
            (rc = mb_buf_puts(&text, sorted[i]->checksum, err)) < 0 ||
            (rc = mb_buf_put(&text, "\n", 1, err)) < 0)
            goto done;
    }
    mb_checksum_hex(out, text.ptr, text.len);
done:
    mb_buf_free(&text);
    free(sorted);
    return rc;
}

/*
 * The serializations below are built with plain appends, not printf: the
 * self-check that every command runs first hashes one per revision, and
 * formatting dominated a no-op `up` at head (bench/noop_sqlite.sh).
 */

/* " N": a decimal number after one space. */
static int put_num(mb_buf *t, size_t v, mb_error *err)
{
    char d[24];
    size_t i = sizeof d;

    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    d[--i] = ' ';
    return mb_buf_put(t, d + i, sizeof d - i, err);
}

/* "KEY" then " WORD" ("-" for NULL) */
static int put_word(mb_buf *t, const char *key, const char *w, mb_error *err)
{
    int rc;

    if ((rc = mb_buf_puts(t, key, err)) < 0 ||
        (rc = mb_buf_put(t, " ", 1, err)) < 0)
        return rc;
    return mb_buf_puts(t, w ? w : "-", err);
}

/* "KEY LEN BYTES" of a string ("KEY 0" when empty, "KEY -" for NULL): no
 * byte of it can be read as the next field. */
static int put_string(mb_buf *t, const char *key, const char *s,
                      mb_error *err)
{
    int rc;

    if (s == NULL || s[0] == '\0') {
        rc = put_word(t, key, s ? "0" : "-", err);
    } else if ((rc = mb_buf_puts(t, key, err)) == MB_OK &&
               (rc = put_num(t, strlen(s), err)) == MB_OK) {
        rc = put_word(t, "", s, err);
    }
    return rc < 0 ? rc : mb_buf_put(t, "\n", 1, err);
}

/* "KEY N ID ID...": the count first, then each id after one space. */
static int put_list(mb_buf *t, const char *key, const char *const *ids,
                    unsigned n, mb_error *err)
{
    unsigned i;
    int rc;

    if ((rc = mb_buf_puts(t, key, err)) < 0 ||
        (rc = put_num(t, n, err)) < 0)
        return rc;
    for (i = 0; i < n; i++) {
        if ((rc = put_word(t, "", ids && ids[i] ? ids[i] : "-", err)) < 0)
            return rc;
    }
    return mb_buf_puts(t, "\n", err);
}

/* "KEY A B C...\n": numbers after a key */
static int put_nums(mb_buf *t, const char *key, const size_t *v, size_t n,
                    mb_error *err)
{
    size_t i;
    int rc = mb_buf_puts(t, key, err);

    for (i = 0; i < n && rc == MB_OK; i++)
        rc = put_num(t, v[i], err);
    return rc < 0 ? rc : mb_buf_put(t, "\n", 1, err);
}

int mb_revision_meta_hex(char out[MB_CHECKSUM_HEX + 1], const mb_revision *r,
                         mb_error *err)
{
    mb_buf t = MB_BUF_INIT;
    unsigned i;
    int rc;

    size_t lines[4] = {r->id_line, r->revises_line, r->depends_line,
                       r->labels_line}, n_sections = r->n_sections;

    if ((rc = mb_buf_puts(&t, MB_REVISION_META_FORMAT "\n", err)) < 0 ||
        (rc = put_word(&t, "id", r->id, err)) < 0 ||
        (rc = mb_buf_put(&t, "\n", 1, err)) < 0 ||
        (rc = put_string(&t, "path", r->path, err)) < 0 ||
        (rc = put_string(&t, "message", r->message, err)) < 0 ||
        (rc = put_string(&t, "create_date", r->create_date, err)) < 0 ||
        (rc = put_list(&t, "revises", r->revises, r->n_revises, err)) < 0 ||
        (rc = put_list(&t, "depends_on", r->depends_on, r->n_depends_on,
                       err)) < 0 ||
        (rc = put_list(&t, "branch_labels", r->branch_labels,
                       r->n_branch_labels, err)) < 0 ||
        (rc = put_nums(&t, "lines", lines, 4, err)) < 0 ||
        (rc = put_word(&t, "checksum", r->checksum, err)) < 0 ||
        (rc = mb_buf_put(&t, "\n", 1, err)) < 0 ||
        (rc = put_nums(&t, "length", &r->raw_len, 1, err)) < 0 ||
        (rc = put_nums(&t, "sections", &n_sections, 1, err)) < 0)
        goto done;
    for (i = 0; i < r->n_sections && rc == MB_OK; i++) {
        const mb_section *s = &r->sections[i];
        size_t f[6] = {(size_t)s->kind, (size_t)s->dialect,
                       (size_t)s->transaction, s->line, s->offset, s->len};

        rc = put_nums(&t, "section", f, 6, err);
    }
    if (rc < 0)
        goto done;
    mb_checksum_hex(out, t.ptr, t.len);
done:
    mb_buf_free(&t);
    return rc;
}

int mb_bundle_meta_hex(char out[MB_CHECKSUM_HEX + 1], const mb_bundle *b,
                       mb_error *err)
{
    mb_buf t = MB_BUF_INIT;
    unsigned i;
    int rc;

    if ((rc = mb_buf_printf(&t, err, MB_BUNDLE_META_FORMAT "\nabi %u\n",
                            b->abi)) < 0 ||
        (rc = put_string(&t, "name", b->name, err)) < 0 ||
        (rc = put_string(&t, "generator", b->generator, err)) < 0 ||
        (rc = put_string(&t, "default_db", b->default_db, err)) < 0 ||
        (rc = mb_buf_printf(&t, err, "digest %s\nrevisions %u\n",
                            b->digest ? b->digest : "-",
                            b->n_revisions)) < 0)
        goto done;
    for (i = 0; i < b->n_revisions; i++) {
        const mb_revision *r = &b->revisions[i];

        if ((rc = put_word(&t, "revision", r->id, err)) < 0 ||
            (rc = put_word(&t, "", r->meta_checksum, err)) < 0 ||
            (rc = mb_buf_put(&t, "\n", 1, err)) < 0)
            goto done;
    }
    mb_checksum_hex(out, t.ptr, t.len);
done:
    mb_buf_free(&t);
    return rc;
}

int mb_lock_number(const char *text)
{
    return (int)(XXH3_64bits(text, strlen(text)) & 0x7fffffff);
}

/*
 * checksum.c -- canonical form and XXH3-128 checksums (see mb/checksum.h).
 *
 * The only file that includes <xxhash.h>.
 */
#include <stdlib.h>
#include <string.h>
/* the XXH3_state_t definition, for a state on the stack (text_hash) */
#define XXH_STATIC_LINKING_ONLY
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

/* "00" to "ff": each byte's two digits, for mb_hex_lower() */
#define HEX_ROW(h)                                                           \
    h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "a" h "b"  \
    h "c" h "d" h "e" h "f"
static const char hex_pairs[] =
    HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4")
    HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9")
    HEX_ROW("a") HEX_ROW("b") HEX_ROW("c") HEX_ROW("d") HEX_ROW("e")
    HEX_ROW("f");

/* A byte's two digits at a time: the self-check formats two checksums
 * per revision at every start-up. */
void mb_hex_lower(char *out, const unsigned char *in, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        memcpy(out + 2 * i, hex_pairs + 2 * in[i], 2);
    out[2 * n] = '\0';
}

static void hash_hex(char out[MB_CHECKSUM_HEX + 1], XXH128_hash_t h)
{
    XXH128_canonical_t c;

    XXH128_canonicalFromHash(&c, h);
    mb_hex_lower(out, c.digest, sizeof c.digest);
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

/* 1 for the bytes of MB_CHECKSUM_HEX's digits: the check of every
 * applied row's checksum is one load per byte */
static const unsigned char hex_digit[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
    ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1};

int mb_checksum_valid(const char *s)
{
    size_t i;

    /* stops at the NUL of a shorter string, which is no digit */
    for (i = 0; i < MB_CHECKSUM_HEX; i++) {
        if (!hex_digit[(unsigned char)s[i]])
            return 0;
    }
    return s[MB_CHECKSUM_HEX] == '\0';
}

/*
 * The texts of the digest and of the metadata checksums are hashed as
 * they are written, never held whole. The self-check that every command
 * runs first serializes every revision (bench/noop_sqlite.sh: 1000 of
 * them before a no-op `up`), and appending each field to a growing mb_buf
 * (a bounds check per field, a buffer allocated, grown and freed per
 * record) cost several times the hash itself. A text_hash gathers the
 * bytes in a chunk on the stack and hands each full chunk to XXH3's
 * streaming state; a text that fits in one chunk, as a revision's nearly
 * always does, is hashed by a single XXH3_128bits(). The streaming and
 * one-shot forms of XXH3 return the same hash for the same bytes, so the
 * checksums are those of the texts docs/format.md spells out
 * (unit.checksum's known answers, with a record longer than a chunk).
 * Nothing here allocates: the state lives on the stack, which xxhash.h
 * allows under XXH_STATIC_LINKING_ONLY.
 */
typedef struct text_hash {
    XXH3_state_t state; /* in use once streaming is set */
    int streaming;      /* 1 once a chunk was handed to state */
    size_t used;        /* bytes of chunk in use */
    char chunk[1024];
} text_hash;

static void th_init(text_hash *h)
{
    h->streaming = 0;
    h->used = 0;
}

/* Hand the chunk to the streaming state (started on first use). */
static void th_flush(text_hash *h)
{
    if (!h->streaming) {
        XXH3_INITSTATE(&h->state);
        (void)XXH3_128bits_reset(&h->state); /* fails only on NULL */
        h->streaming = 1;
    }
    (void)XXH3_128bits_update(&h->state, h->chunk, h->used);
    h->used = 0;
}

/* Append len bytes; a piece larger than the chunk goes to the state
 * directly, after what the chunk holds. Inline: most pieces are a literal
 * or a separator, whose copy the compiler then reduces to a few moves. */
static inline void th_put(text_hash *h, const void *data, size_t len)
{
    if (len > sizeof h->chunk - h->used) {
        th_flush(h);
        if (len >= sizeof h->chunk) {
            (void)XXH3_128bits_update(&h->state, data, len);
            return;
        }
    }
    memcpy(h->chunk + h->used, data, len);
    h->used += len;
}

/* A string literal and its length, as th_put() and the put_ functions
 * take them: no strlen() at run time for the keys. */
#define LIT(s) (s), (sizeof(s) - 1)

static void th_puts(text_hash *h, const char *s)
{
    th_put(h, s, strlen(s));
}

/* The hex checksum of everything appended. */
static void th_hex(text_hash *h, char out[MB_CHECKSUM_HEX + 1])
{
    if (!h->streaming) {
        hash_hex(out, XXH3_128bits(h->chunk, h->used));
        return;
    }
    th_flush(h);
    hash_hex(out, XXH3_128bits_digest(&h->state));
}

/* " N": a decimal number after one space. */
static void put_num(text_hash *h, size_t v)
{
    char d[24];
    size_t i = sizeof d;

    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    d[--i] = ' ';
    th_put(h, d + i, sizeof d - i);
}

/* "KEY WORD" ("-" for NULL); key[0..klen) ends in its space. */
static void put_word(text_hash *h, const char *key, size_t klen,
                     const char *w)
{
    th_put(h, key, klen);
    th_puts(h, w ? w : "-");
}

/* "KEY LEN BYTES\n" of a string ("KEY 0" when empty, "KEY -" for NULL):
 * no byte of it can be read as the next field. */
static void put_string(text_hash *h, const char *key, size_t klen,
                       const char *s)
{
    th_put(h, key, klen);
    if (s == NULL || s[0] == '\0') {
        th_put(h, s ? " 0" : " -", 2);
    } else {
        size_t len = strlen(s);

        put_num(h, len);
        th_put(h, LIT(" "));
        th_put(h, s, len);
    }
    th_put(h, LIT("\n"));
}

/* "KEY N ID ID...\n": the count first, then each id after one space. */
static void put_list(text_hash *h, const char *key, size_t klen,
                     const char *const *ids, unsigned n)
{
    unsigned i;

    th_put(h, key, klen);
    put_num(h, n);
    for (i = 0; i < n; i++)
        put_word(h, LIT(" "), ids && ids[i] ? ids[i] : "-");
    th_put(h, LIT("\n"));
}

/* "KEY A B C...\n": numbers after a key */
static void put_nums(text_hash *h, const char *key, size_t klen,
                     const size_t *v, size_t n)
{
    size_t i;

    th_put(h, key, klen);
    for (i = 0; i < n; i++)
        put_num(h, v[i]);
    th_put(h, LIT("\n"));
}

static int by_id(const void *a, const void *b)
{
    const mb_revision *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

int mb_bundle_digest(char out[MB_CHECKSUM_HEX + 1], const mb_revision *revs,
                     size_t n, mb_error *err)
{
    const mb_revision **sorted;
    text_hash h;
    size_t i;
    int in_order = 1;

    sorted = mb_malloc((n ? n : 1) * sizeof *sorted);
    if (sorted == NULL)
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        sorted[i] = &revs[i];
        if (i > 0 && in_order && by_id(&sorted[i - 1], &sorted[i]) > 0)
            in_order = 0;
    }
    /* the records are sorted by path, and a file is named after its id
     * as a rule, so the ids are often in order already; glibc's qsort
     * still compares about n log2(n) / 2 times then */
    if (!in_order)
        qsort(sorted, n, sizeof *sorted, by_id);
    th_init(&h);
    th_put(&h, LIT(MB_DIGEST_FORMAT "\n"));
    for (i = 0; i < n; i++) {
        th_puts(&h, sorted[i]->id);
        put_word(&h, LIT(" "), sorted[i]->checksum);
        th_put(&h, LIT("\n"));
    }
    th_hex(&h, out);
    free(sorted);
    return MB_OK;
}

int mb_revision_meta_hex(char out[MB_CHECKSUM_HEX + 1], const mb_revision *r,
                         mb_error *err)
{
    text_hash h;
    unsigned i;

    size_t lines[4] = {r->id_line, r->revises_line, r->depends_line,
                       r->labels_line}, n_sections = r->n_sections;

    (void)err; /* nothing here can fail */
    th_init(&h);
    th_put(&h, LIT(MB_REVISION_META_FORMAT "\n"));
    put_word(&h, LIT("id "), r->id);
    th_put(&h, LIT("\n"));
    put_string(&h, LIT("path"), r->path);
    put_string(&h, LIT("message"), r->message);
    put_string(&h, LIT("create_date"), r->create_date);
    put_list(&h, LIT("revises"), r->revises, r->n_revises);
    put_list(&h, LIT("depends_on"), r->depends_on, r->n_depends_on);
    put_list(&h, LIT("branch_labels"), r->branch_labels,
             r->n_branch_labels);
    put_nums(&h, LIT("lines"), lines, 4);
    put_word(&h, LIT("checksum "), r->checksum);
    th_put(&h, LIT("\n"));
    put_nums(&h, LIT("length"), &r->raw_len, 1);
    put_nums(&h, LIT("sections"), &n_sections, 1);
    for (i = 0; i < r->n_sections; i++) {
        const mb_section *s = &r->sections[i];
        size_t f[6] = {(size_t)s->kind, (size_t)s->dialect,
                       (size_t)s->transaction, s->line, s->offset, s->len};

        put_nums(&h, LIT("section"), f, 6);
    }
    th_hex(&h, out);
    return MB_OK;
}

int mb_bundle_meta_hex(char out[MB_CHECKSUM_HEX + 1], const mb_bundle *b,
                       mb_error *err)
{
    text_hash h;
    size_t abi = b->abi, n = b->n_revisions;
    unsigned i;

    (void)err; /* nothing here can fail */
    th_init(&h);
    th_put(&h, LIT(MB_BUNDLE_META_FORMAT "\n"));
    put_nums(&h, LIT("abi"), &abi, 1);
    put_string(&h, LIT("name"), b->name);
    put_string(&h, LIT("generator"), b->generator);
    put_string(&h, LIT("default_db"), b->default_db);
    put_word(&h, LIT("digest "), b->digest);
    th_put(&h, LIT("\n"));
    put_nums(&h, LIT("revisions"), &n, 1);
    for (i = 0; i < b->n_revisions; i++) {
        const mb_revision *r = &b->revisions[i];

        put_word(&h, LIT("revision "), r->id);
        put_word(&h, LIT(" "), r->meta_checksum);
        th_put(&h, LIT("\n"));
    }
    th_hex(&h, out);
    return MB_OK;
}

int mb_lock_number(const char *text)
{
    return (int)(XXH3_64bits(text, strlen(text)) & 0x7fffffff);
}

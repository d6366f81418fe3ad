/*
 * fuzz_bundle.c -- libFuzzer harness for the bundle self-check
 * (mb_bundle_selfcheck() at both depths), mb_graph_build() and what the
 * runtime does with a revision before its SQL runs, on damaged bundles.
 *
 * Built and run by tests/fuzz/run.sh (ctest: fuzz.bundle); seeds in
 * corpus/bundle/.
 *
 * fuzz-sources: runtime/verify.c runtime/checksum.c runtime/zip.c
 * fuzz-sources: runtime/buf.c runtime/arena.c runtime/error.c
 * fuzz-sources: runtime/graph.c runtime/sqlsplit.c runtime/revision.c
 * fuzz-sources: bundler/revfile.c
 * fuzz-libs: -lz -lxxhash
 *
 * At start-up the harness builds one real bundle in memory the way
 * `migbundle build` does (bundler/pack.c, emit.c): three revision texts
 * (a base, dialect sections with transaction:false, a Depends On and a
 * BEGIN ATOMIC function) parsed by mb_revfile_parse(), each canonical text
 * deflated by mb_zip_deflate(), its stored checksum taken over the
 * compressed bytes seeded with the raw length, the digest from
 * mb_bundle_digest(), the metadata checksums from mb_revision_meta_hex()
 * and mb_bundle_meta_hex(). Each input is a list of mutations of a fresh copy
 * (see apply() for the encoding): payload bytes, z_len, raw_len, the
 * characters of checksum, stored_checksum and digest, magic, abi, any
 * field of the section table and its count, ids, parents, dependencies,
 * labels and their counts, n_revisions (only down), and swapping the
 * payloads of two revisions. Every array stays as large as the count a
 * mutation may give it (a payload has 64 bytes after it that z_len may
 * grow into, a section table 8 entries, a list 4), since the runtime
 * cannot know the size of an array of the executable it runs in.
 *
 * Checked:
 *   - a change of a checksummed field (payload bytes, z_len, raw_len,
 *     checksum, stored checksum, digest, magic, abi, id, n_revisions, and,
 *     by the metadata checksums, the section table and the parents,
 *     dependencies and labels within their counts, and the counts) is
 *     a problem in the self-check at both depths, unless it changed
 *     nothing. One exception, by design of the stored checksum (it covers
 *     a payload's bytes and lengths, not which revision they belong to):
 *     the whole payload of one revision moved to another, stored checksum
 *     included, passes MB_SELFCHECK_STORED; MB_SELFCHECK_DEEP and
 *     mb_payload_text() must find it.
 *   - when the STORED self-check finds nothing, and the graph builds,
 *     what runs a revision cannot read out of bounds: mb_payload_text()
 *     inflates the payload (or refuses it), and the section that
 *     mb_revision_section() picks for each direction and dialect lies
 *     inside the text; mb_sql_split() splits it (a copy of exactly its
 *     bytes).
 *   - no mutation makes the self-check, the graph build, mb_payload_text()
 *     or the split crash, read out of bounds or leak; the self-check
 *     returns MB_OK or MB_ENOMEM, the graph build MB_OK or MB_EGRAPH with
 *     a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzhelp.h"
#include "mb/checksum.h"
#include "mb/graph.h"
#include "mb/revision.h"
#include "mb/sqlsplit.h"
#include "mb/verify.h"
#include "mb/zip.h"
#include "revfile.h"

#define NREV 3
#define SLACK 64      /* bytes after a payload that z_len may grow into */
#define SEC_CAP 8     /* section table entries n_sections may reach */
#define LIST_CAP 4    /* list entries n_revises (...) may reach */
#define ID_CAP (MB_ID_MAX + 1)
#define MAX_OPS 24
#define INFLATE_MAX ((size_t)1 << 20) /* see check_payloads() */

static const char *const texts[NREV] = {
    "-- create users\n"
    "--\n"
    "-- Revision ID: a1\n"
    "-- Revises:\n"
    "-- Create Date: 2026-01-01 10:00:00\n"
    "-- Branch Labels: accounts\n"
    "\n"
    "-- migrate:up\n"
    "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n"
    "INSERT INTO users (id, email) VALUES (1, 'a;b@example.com');\n"
    "\n"
    "-- migrate:down\n"
    "DROP TABLE users;\n",

    "-- index the emails\n"
    "--\n"
    "-- Revision ID: b2\n"
    "-- Revises: a1\n"
    "\n"
    "-- migrate:up dialect:postgresql transaction:false\n"
    "CREATE INDEX CONCURRENTLY ix_users_email ON users (email);\n"
    "-- migrate:up dialect:sqlite\n"
    "CREATE INDEX ix_users_email ON users (email);\n"
    "-- migrate:down\n"
    "DROP INDEX ix_users_email;\n",

    "-- a function\n"
    "--\n"
    "-- Revision ID: c3\n"
    "-- Revises: b2\n"
    "-- Depends On: a1\n"
    "-- Branch Labels: funcs\n"
    "\n"
    "-- migrate:up dialect:postgresql\n"
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n"
    "BEGIN ATOMIC\n"
    "  SELECT CASE WHEN true THEN 1 END;\n"
    "END;\n"
    "DO $$ BEGIN PERFORM 1; END $$;\n"
    "-- migrate:up dialect:sqlite\n"
    "CREATE TABLE f (x int); -- ' \"\n"
    "-- migrate:down dialect:postgresql\n"
    "DROP FUNCTION f();\n"
    "-- migrate:down dialect:sqlite\n"
    "DROP TABLE f;\n",
};

/* The bundle as migbundle would write it; never changed after setup. */
static mb_arena orig_arena = MB_ARENA_INIT;
static mb_revision orig_revs[NREV];
static char orig_stored[NREV][MB_CHECKSUM_HEX + 1];
static mb_bundle orig;

/* A mutable copy, with room for what mutations may grow. */
typedef struct rev_copy {
    unsigned char *data;                 /* orig z_len + SLACK bytes */
    size_t cap;
    char id[ID_CAP];
    char checksum[MB_CHECKSUM_HEX + 1];
    char stored[MB_CHECKSUM_HEX + 1];
    char lists[3][LIST_CAP][ID_CAP];     /* revises, depends, labels */
    const char *ptrs[3][LIST_CAP];
    mb_section *sections;                /* SEC_CAP entries */
} rev_copy;

typedef struct copy {
    mb_bundle b;
    mb_revision revs[NREV];
    rev_copy rc[NREV];
    char digest[MB_CHECKSUM_HEX + 1];
} copy;

static void setup(void)
{
    mb_error err = MB_ERROR_INIT;
    mb_buf z = MB_BUF_INIT;
    static char digest[MB_CHECKSUM_HEX + 1];
    static char orig_meta[NREV][MB_CHECKSUM_HEX + 1];
    static char bundle_meta[MB_CHECKSUM_HEX + 1];
    char path[16];
    int i;

    for (i = 0; i < NREV; i++) {
        mb_revision *r = &orig_revs[i];
        unsigned char *data;

        snprintf(path, sizeof path, "%c%d_x.sql", 'a' + i, i + 1);
        CHECK(mb_revfile_parse(r, &orig_arena, path, NULL, texts[i],
                               strlen(texts[i]), &err) == MB_OK);
        CHECK(mb_zip_deflate(&z, r->data, r->raw_len, &err) == MB_OK);
        data = mb_arena_alloc(&orig_arena, z.len);
        CHECK(data != NULL);
        memcpy(data, z.ptr, z.len);
        r->data = data;
        r->z_len = z.len;
        mb_checksum_stored_hex(orig_stored[i], data, z.len, r->raw_len);
        r->stored_checksum = orig_stored[i];
    }
    mb_buf_free(&z);
    for (i = 0; i < NREV; i++) {
        CHECK(mb_revision_meta_hex(orig_meta[i], &orig_revs[i], &err) ==
              MB_OK);
        orig_revs[i].meta_checksum = orig_meta[i];
    }
    CHECK(mb_bundle_digest(digest, orig_revs, NREV, &err) == MB_OK);
    orig = (mb_bundle){.magic = MB_BUNDLE_MAGIC,
                       .abi = MB_BUNDLE_ABI_VERSION,
                       .name = "app-migrate",
                       .generator = "migbundle fuzz",
                       .revisions = orig_revs,
                       .n_revisions = NREV,
                       .digest = digest,
                       .default_db = "sqlite:app.db"};
    CHECK(mb_bundle_meta_hex(bundle_meta, &orig, &err) == MB_OK);
    orig.meta_checksum = bundle_meta;
}

static void copy_list(rev_copy *rc, int which, const char *const *v,
                      unsigned n)
{
    unsigned k;

    for (k = 0; k < LIST_CAP; k++) {
        /* entries past the count hold ids a count may reach */
        const char *src = k < n ? v[k] : orig_revs[k % NREV].id;

        memset(rc->lists[which][k], 0, ID_CAP);
        memcpy(rc->lists[which][k], src, strlen(src));
        rc->ptrs[which][k] = rc->lists[which][k];
    }
}

static void make_copy(copy *c)
{
    int i;

    memset(c, 0, sizeof *c);
    c->b = orig;
    c->b.revisions = c->revs;
    memcpy(c->digest, orig.digest, sizeof c->digest);
    c->b.digest = c->digest;
    for (i = 0; i < NREV; i++) {
        const mb_revision *o = &orig_revs[i];
        mb_revision *r = &c->revs[i];
        rev_copy *rc = &c->rc[i];
        size_t k;

        *r = *o;
        rc->cap = o->z_len + SLACK;
        rc->data = malloc(rc->cap);
        rc->sections = calloc(SEC_CAP, sizeof *rc->sections);
        CHECK(rc->data != NULL && rc->sections != NULL);
        memcpy(rc->data, o->data, o->z_len);
        for (k = o->z_len; k < rc->cap; k++) /* what follows in memory */
            rc->data[k] = (unsigned char)(k * 151u);
        memcpy(rc->sections, o->sections,
               o->n_sections * sizeof *o->sections);
        memcpy(rc->id, o->id, strlen(o->id) + 1);
        memcpy(rc->checksum, o->checksum, sizeof rc->checksum);
        memcpy(rc->stored, o->stored_checksum, sizeof rc->stored);
        copy_list(rc, 0, o->revises, o->n_revises);
        copy_list(rc, 1, o->depends_on, o->n_depends_on);
        copy_list(rc, 2, o->branch_labels, o->n_branch_labels);
        r->data = rc->data;
        r->sections = rc->sections;
        r->id = rc->id;
        r->checksum = rc->checksum;
        r->stored_checksum = rc->stored;
        r->revises = rc->ptrs[0];
        r->depends_on = rc->ptrs[1];
        r->branch_labels = rc->ptrs[2];
    }
}

static void free_copy(copy *c)
{
    int i;

    for (i = 0; i < NREV; i++) {
        free(c->rc[i].data);
        free(c->rc[i].sections);
    }
}

/* Reading the input: bytes, or zeros once it is used up. */
typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint64_t take(reader *in, int bytes)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < bytes && in->n > 0; i++, in->p++, in->n--)
        v |= (uint64_t)in->p[0] << (8 * i);
    return v;
}

/* A size: small (near the real values) or any 64-bit value. */
static size_t take_size(reader *in)
{
    uint8_t mode = (uint8_t)take(in, 1);

    return mode & 1 ? (size_t)take(in, 8) : (size_t)take(in, 2);
}

static void set_char(char *s, reader *in)
{
    size_t i = (size_t)take(in, 1) % MB_ID_MAX; /* s[MB_ID_MAX] stays 0 */

    s[i] = (char)take(in, 1);
}

static void mutate_section(mb_section *s, reader *in)
{
    switch (take(in, 1) % 6) {
    case 0: s->offset = take_size(in); break;
    case 1: s->len = take_size(in); break;
    case 2: s->kind = (int)(uint32_t)take(in, 4); break;
    case 3: s->dialect = (int)(uint32_t)take(in, 4); break;
    case 4: s->transaction = (int)(uint32_t)take(in, 4); break;
    default: s->line = (unsigned)take(in, 4); break;
    }
}

/* Move the payload of revision j (bytes, lengths, stored checksum) to i. */
static void swap_payload(copy *c, int i, int j)
{
    rev_copy *a = &c->rc[i], *b = &c->rc[j];
    unsigned char *data = a->data;
    size_t cap = a->cap;
    char stored[MB_CHECKSUM_HEX + 1];
    size_t z = c->revs[i].z_len, raw = c->revs[i].raw_len;

    a->data = b->data;
    a->cap = b->cap;
    b->data = data;
    b->cap = cap;
    memcpy(stored, a->stored, sizeof stored);
    memcpy(a->stored, b->stored, sizeof stored);
    memcpy(b->stored, stored, sizeof stored);
    c->revs[i].data = a->data;
    c->revs[j].data = b->data;
    c->revs[i].z_len = c->revs[j].z_len;
    c->revs[i].raw_len = c->revs[j].raw_len;
    c->revs[j].z_len = z;
    c->revs[j].raw_len = raw;
}

/*
 * One mutation: an opcode byte, a revision byte, then what the opcode
 * takes (little-endian values; missing bytes read as 0).
 */
static void apply(copy *c, reader *in)
{
    unsigned op = (unsigned)take(in, 1) % 16;
    int i = (int)(take(in, 1) % NREV);
    mb_revision *r = &c->revs[i];
    rev_copy *rc = &c->rc[i];
    unsigned which;

    switch (op) {
    case 0: /* flip bits of a payload byte (or of what follows it) */
        rc->data[take(in, 2) % rc->cap] ^= (unsigned char)take(in, 1);
        break;
    case 1: r->z_len = (size_t)(take(in, 2) % (rc->cap + 1)); break;
    case 2: r->raw_len = take_size(in); break;
    case 3: set_char(rc->checksum, in); break;
    case 4: set_char(rc->stored, in); break;
    case 5: set_char(c->digest, in); break;
    case 6: c->b.magic ^= (unsigned)take(in, 4); break;
    case 7: c->b.abi = (unsigned)take(in, 4); break;
    case 8: mutate_section(&rc->sections[take(in, 1) % SEC_CAP], in); break;
    case 9: r->n_sections = (unsigned)(take(in, 1) % (SEC_CAP + 1)); break;
    case 10: /* a character of a parent, dependency or label */
        which = (unsigned)(take(in, 1) % 3);
        set_char(rc->lists[which][take(in, 1) % LIST_CAP], in);
        break;
    case 11: /* the count of a list */
        which = (unsigned)(take(in, 1) % 3);
        *(which == 0 ? &r->n_revises
                     : which == 1 ? &r->n_depends_on
                                  : &r->n_branch_labels) =
            (unsigned)(take(in, 1) % (LIST_CAP + 1));
        break;
    case 12: set_char(rc->id, in); break;
    case 13:
        if (take(in, 1) % (NREV + 1) < c->b.n_revisions)
            c->b.n_revisions--;
        break;
    case 14: /* a list entry names a revision (a cycle, a duplicate) */
        which = (unsigned)(take(in, 1) % 3);
        strcpy(rc->lists[which][take(in, 1) % LIST_CAP],
               orig_revs[take(in, 1) % NREV].id);
        break;
    default: {
        int j = (int)(take(in, 1) % NREV);

        if (j != i)
            swap_payload(c, i, j);
        break;
    }
    }
}

/* Does the section table or a list of r differ from revision i's? */
static int record_changed(const mb_revision *r, int i)
{
    const mb_revision *o = &orig_revs[i];
    const char *const *lists[3] = {r->revises, r->depends_on,
                                   r->branch_labels};
    const char *const *olists[3] = {o->revises, o->depends_on,
                                    o->branch_labels};
    unsigned counts[3] = {r->n_revises, r->n_depends_on, r->n_branch_labels};
    unsigned ocounts[3] = {o->n_revises, o->n_depends_on, o->n_branch_labels};
    unsigned k, j;

    if (r->n_sections != o->n_sections)
        return 1;
    for (j = 0; j < r->n_sections; j++) {
        const mb_section *a = &r->sections[j], *b = &o->sections[j];

        if (a->kind != b->kind || a->dialect != b->dialect ||
            a->transaction != b->transaction || a->line != b->line ||
            a->offset != b->offset || a->len != b->len)
            return 1;
    }
    for (k = 0; k < 3; k++) {
        if (counts[k] != ocounts[k])
            return 1;
        for (j = 0; j < counts[k]; j++) {
            if (strcmp(lists[k][j], olists[k][j]) != 0)
                return 1;
        }
    }
    return 0;
}

/* Is the payload of r exactly the original one of revision k? */
static int payload_is(const mb_revision *r, int k)
{
    const mb_revision *o = &orig_revs[k];

    return r->z_len == o->z_len && r->raw_len == o->raw_len &&
           memcmp(r->data, o->data, o->z_len) == 0 &&
           strcmp(r->stored_checksum, o->stored_checksum) == 0;
}

/* 1 when r holds the whole original payload of another revision. */
static int moved(const mb_revision *r, int i)
{
    int k;

    for (k = 0; k < NREV; k++) {
        if (k != i && payload_is(r, k))
            return 1;
    }
    return 0;
}

/*
 * 1 when a checksummed field differs from the original, other than a
 * payload moved whole from another revision (*any_moved is set then).
 */
static int checksummed_changed(const copy *c, int *any_moved)
{
    unsigned i;
    int changed = 0;

    *any_moved = 0;
    if (c->b.magic != orig.magic || c->b.abi != orig.abi ||
        strcmp(c->b.digest, orig.digest) != 0 ||
        c->b.n_revisions != orig.n_revisions)
        changed = 1;
    for (i = 0; i < c->b.n_revisions; i++) {
        const mb_revision *r = &c->revs[i];

        if (strcmp(r->id, orig_revs[i].id) != 0 ||
            strcmp(r->checksum, orig_revs[i].checksum) != 0 ||
            record_changed(r, (int)i))
            changed = 1;
        if (payload_is(r, (int)i))
            continue;
        if (moved(r, (int)i))
            *any_moved = 1;
        else
            changed = 1;
    }
    return changed;
}

static size_t selfcheck(const copy *c, int depth)
{
    mb_report rep = MB_REPORT_INIT;
    mb_error err = MB_ERROR_INIT;
    size_t count;
    int rc = mb_bundle_selfcheck(&c->b, depth, &rep, &err);

    CHECK(rc == MB_OK || rc == MB_ENOMEM);
    CHECK(rep.count == 0 || (rep.text.ptr != NULL && rep.text.len > 0));
    count = rc == MB_OK ? rep.count : 1;
    mb_report_free(&rep);
    return count;
}

/* Split a section from a copy holding exactly its bytes. */
static void split(const char *text, const mb_section *s)
{
    mb_stmts st = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    char *sql = malloc(s->len ? s->len : 1);
    int rc;

    CHECK(sql != NULL);
    memcpy(sql, text + s->offset, s->len);
    rc = mb_sql_split(&st, sql, s->len, "x.sql", s->line + 1, &err);
    CHECK(rc == MB_OK || rc == MB_EPARSE);
    mb_stmts_free(&st);
    free(sql);
}

/*
 * What runs a revision does first: inflate and re-hash its payload, pick
 * its section, split it. gated: the self-check passed, so the section
 * must lie inside the text.
 */
static void run_revision(const mb_revision *r, mb_inflater *inf, int gated,
                         int is_moved)
{
    static const int kinds[2] = {MB_SECTION_UP, MB_SECTION_DOWN};
    static const int dialects[2] = {MB_DIALECT_POSTGRESQL,
                                    MB_DIALECT_SQLITE};
    mb_buf text = MB_BUF_INIT;
    mb_error err = MB_ERROR_INIT;
    int k, d, rc;

    rc = mb_payload_text(&text, inf, r, &err);
    CHECK(rc == MB_OK || rc == MB_EINTEGRITY || rc == MB_ENOMEM);
    CHECK(rc == MB_OK || err.msg[0] != '\0');
    CHECK(!(gated && is_moved && rc == MB_OK));
    for (k = 0; k < 2 && rc == MB_OK && gated; k++) {
        for (d = 0; d < 2; d++) {
            const mb_section *s = mb_revision_section(r, kinds[k],
                                                      dialects[d]);
            if (s == NULL)
                continue;
            /* what apply.c hands to the backend: text + offset, len */
            CHECK(s->offset <= text.len && s->len <= text.len - s->offset);
            if (dialects[d] == MB_DIALECT_POSTGRESQL)
                split(text.ptr, s);
        }
    }
    mb_buf_free(&text);
}

/*
 * mb_payload_text() for every revision. Ungated it inflates what a
 * damaged bundle holds (zlib against garbage), for a payload whose raw
 * length a mutation kept plausible: the runtime calls it only once the
 * self-check passed, which catches any other raw_len, and z_len 0 (a text
 * kept uncompressed, which a generated bundle never has) would make it
 * read raw_len bytes of the compressed array.
 */
static void check_payloads(const copy *c, int gated)
{
    mb_inflater inf = MB_INFLATER_INIT;
    unsigned i;

    for (i = 0; i < c->b.n_revisions; i++) {
        const mb_revision *r = &c->revs[i];

        if (gated || (r->z_len > 0 && r->raw_len <= INFLATE_MAX))
            run_revision(r, &inf, gated, moved(r, (int)i));
    }
    mb_inflater_free(&inf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    reader in = {data, size};
    mb_graph g = MB_GRAPH_INIT;
    mb_error err = MB_ERROR_INIT;
    copy *c = malloc(sizeof *c);
    size_t stored, deep;
    int ops, any_moved, changed, rc;

    if (!ready) {
        setup();
        ready = 1;
    }
    CHECK(c != NULL);
    make_copy(c);
    for (ops = 0; ops < MAX_OPS && in.n > 0; ops++)
        apply(c, &in);
    changed = checksummed_changed(c, &any_moved);
    stored = selfcheck(c, MB_SELFCHECK_STORED);
    deep = selfcheck(c, MB_SELFCHECK_DEEP);
    CHECK(!changed || stored > 0);
    CHECK(!(changed || any_moved) || deep > 0);
    CHECK(!(size == 0 && (stored > 0 || deep > 0)));
    rc = mb_graph_build(&g, c->b.revisions, c->b.n_revisions, &err);
    CHECK(rc == MB_OK || rc == MB_EGRAPH || rc == MB_ENOMEM);
    CHECK(rc == MB_OK || err.msg[0] != '\0');
    check_payloads(c, stored == 0 && rc == MB_OK);
    mb_graph_free(&g);
    free_copy(c);
    free(c);
    return 0;
}

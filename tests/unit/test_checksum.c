/*
 * test_checksum.c -- canonical form, XXH3-128 hex, bundle digest, zlib,
 * and the bundle self-check that uses them.
 *
 * The equality with the `xxhsum -H2` command is checked by
 * tests/cli/checksum_xxhsum.sh; here the known-answer values below were
 * produced by that command (printf 'abc' | xxhsum -H2).
 */
#include <string.h>

#include "mb/checksum.h"
#include "mb/revision.h"
#include "mb/verify.h"
#include "mb/zip.h"
#include "revfile.h"
#include "testhelp.h"

static void canon(const char *in, size_t len, const char *want)
{
    mb_buf out = MB_BUF_INIT;
    mb_error err = MB_ERROR_INIT;

    CHECK_INT(mb_canonicalize(&out, in, len, &err), MB_OK);
    CHECK_INT(out.len, strlen(want));
    CHECK(out.ptr != NULL && memcmp(out.ptr, want, out.len) == 0);
    mb_buf_free(&out);
}

static void test_checksum__canonical_form(void)
{
    canon("a\r\nb\r\n", 6, "a\nb\n");
    canon("\xEF\xBB\xBF" "a\n", 5, "a\n");
    canon("a\rb\n", 4, "a\rb\n");        /* a lone CR is kept */
    canon("a\r\r\n", 4, "a\r\n");        /* only the CR before LF goes */
    canon("x\xEF\xBB\xBF", 4, "x\xEF\xBB\xBF"); /* BOM only when leading */
    canon("", 0, "");
    canon("\r\n", 2, "\n");
}

static void test_checksum__known_answers(void)
{
    char hex[MB_CHECKSUM_HEX + 1];

    mb_checksum_hex(hex, "", 0);
    CHECK_STR(hex, "99aa06d3014798d86001c324468d497f");
    mb_checksum_hex(hex, "abc", 3);
    CHECK_STR(hex, "06b05ab6733a618578af5f94892f3950");
    CHECK(mb_checksum_valid(hex));
    CHECK(!mb_checksum_valid("06B05AB6733A618578AF5F94892F3950"));
    CHECK(!mb_checksum_valid("06b05ab6"));
    CHECK(!mb_checksum_valid("06b05ab6733a618578af5f94892f3950a"));
}

/* The stored checksum is seeded with the inflated length: seed 0 is the
 * plain checksum, and the same bytes under another length differ. */
static void test_checksum__stored_checksum_is_seeded(void)
{
    char plain[MB_CHECKSUM_HEX + 1], s0[MB_CHECKSUM_HEX + 1];
    char s3[MB_CHECKSUM_HEX + 1], s4[MB_CHECKSUM_HEX + 1];

    mb_checksum_hex(plain, "abc", 3);
    mb_checksum_stored_hex(s0, "abc", 3, 0);
    CHECK_STR(s0, plain);
    mb_checksum_stored_hex(s3, "abc", 3, 3);
    mb_checksum_stored_hex(s4, "abc", 3, 4);
    CHECK(mb_checksum_valid(s3));
    CHECK(strcmp(s3, plain) != 0);
    CHECK(strcmp(s3, s4) != 0);
    mb_checksum_stored_hex(s4, "abc", 3, 3);
    CHECK_STR(s4, s3);
}

static void test_checksum__digest_is_order_independent(void)
{
    mb_revision a[2] = {{.id = "b", .checksum = "11"},
                        {.id = "a", .checksum = "22"}};
    mb_revision b[2] = {{.id = "a", .checksum = "22"},
                        {.id = "b", .checksum = "11"}};
    char da[MB_CHECKSUM_HEX + 1], db[MB_CHECKSUM_HEX + 1];
    char want[MB_CHECKSUM_HEX + 1];
    const char *text = MB_DIGEST_FORMAT "\na 22\nb 11\n";
    mb_error err = MB_ERROR_INIT;

    CHECK_INT(mb_bundle_digest(da, a, 2, &err), MB_OK);
    CHECK_INT(mb_bundle_digest(db, b, 2, &err), MB_OK);
    CHECK_STR(da, db);
    mb_checksum_hex(want, text, strlen(text));
    CHECK_STR(da, want);
    b[0].checksum = "23";
    CHECK_INT(mb_bundle_digest(db, b, 2, &err), MB_OK);
    CHECK(strcmp(da, db) != 0);
}

static void test_checksum__zip_round_trip_and_corruption(void)
{
    const char *text = "CREATE TABLE t (id INTEGER);\n-- padding padding\n";
    mb_buf z = MB_BUF_INIT, back = MB_BUF_INIT;
    mb_error err = MB_ERROR_INIT;

    CHECK_INT(mb_zip_deflate(&z, text, strlen(text), &err), MB_OK);
    CHECK_INT(mb_zip_inflate(&back, z.ptr, z.len, strlen(text), &err),
              MB_OK);
    CHECK_STR(back.ptr, text);
    /* wrong expected length */
    CHECK_INT(mb_zip_inflate(&back, z.ptr, z.len, strlen(text) - 1, &err),
              MB_EINTEGRITY);
    CHECK_INT(mb_zip_inflate(&back, z.ptr, z.len, strlen(text) + 1, &err),
              MB_EINTEGRITY);
    /* a flipped byte in the stream */
    z.ptr[z.len / 2] ^= 0x55;
    CHECK_INT(mb_zip_inflate(&back, z.ptr, z.len, strlen(text), &err),
              MB_EINTEGRITY);
    CHECK_HAS(err.msg, "corrupt");
    mb_buf_free(&z);
    mb_buf_free(&back);
}

static void test_checksum__buf_limit(void)
{
    mb_buf b = MB_BUF_INIT;
    mb_error err = MB_ERROR_INIT;

    b.max = 8;
    CHECK_INT(mb_buf_puts(&b, "12345678", &err), MB_OK);
    CHECK_INT(mb_buf_puts(&b, "9", &err), MB_ENOMEM);
    CHECK(b.ptr == NULL && b.len == 0); /* freed itself */
    CHECK_HAS(err.msg, "limit");
}

/* A one-revision bundle as migbundle builds it (bundler/pack.c, emit.c),
 * with a section table of its own; make_bundle() frees the one before. */
typedef struct one_bundle {
    mb_arena arena;
    mb_revision rev;
    mb_section sections[4];
    char stored[MB_CHECKSUM_HEX + 1];
    char digest[MB_CHECKSUM_HEX + 1];
    char meta[MB_CHECKSUM_HEX + 1];
    char bundle_meta[MB_CHECKSUM_HEX + 1];
    mb_bundle b;
} one_bundle;

static void make_bundle(one_bundle *o)
{
    static const char text[] = "-- t\n--\n-- Revision ID: a1\n\n"
                               "-- migrate:up\nCREATE TABLE t (x int);\n"
                               "-- migrate:down\nDROP TABLE t;\n";
    mb_error err = MB_ERROR_INIT;
    mb_buf z = MB_BUF_INIT;
    unsigned char *data;

    mb_arena_free(&o->arena);
    memset(o, 0, sizeof *o);
    CHECK_INT(mb_revfile_parse(&o->rev, &o->arena, "a1.sql", NULL, text,
                               strlen(text), &err), MB_OK);
    CHECK_INT(o->rev.n_sections, 2);
    memcpy(o->sections, o->rev.sections, 2 * sizeof *o->sections);
    o->rev.sections = o->sections;
    CHECK_INT(mb_zip_deflate(&z, o->rev.data, o->rev.raw_len, &err), MB_OK);
    data = mb_arena_alloc(&o->arena, z.len);
    CHECK(data != NULL);
    memcpy(data, z.ptr, z.len);
    o->rev.data = data;
    o->rev.z_len = z.len;
    mb_buf_free(&z);
    mb_checksum_stored_hex(o->stored, data, o->rev.z_len, o->rev.raw_len);
    o->rev.stored_checksum = o->stored;
    CHECK_INT(mb_bundle_digest(o->digest, &o->rev, 1, &err), MB_OK);
    o->b = (mb_bundle){.magic = MB_BUNDLE_MAGIC,
                       .abi = MB_BUNDLE_ABI_VERSION,
                       .revisions = &o->rev,
                       .n_revisions = 1,
                       .digest = o->digest};
    CHECK_INT(mb_revision_meta_hex(o->meta, &o->rev, &err), MB_OK);
    o->rev.meta_checksum = o->meta;
    CHECK_INT(mb_bundle_meta_hex(o->bundle_meta, &o->b, &err), MB_OK);
    o->b.meta_checksum = o->bundle_meta;
}

/* Self-check o at both depths: n problems, one of them naming want. */
static void selfcheck_n(const one_bundle *o, size_t n, const char *want)
{
    int depth;

    for (depth = MB_SELFCHECK_STORED; depth <= MB_SELFCHECK_DEEP; depth++) {
        mb_report rep = MB_REPORT_INIT;
        mb_error err = MB_ERROR_INIT;

        CHECK_INT(mb_bundle_selfcheck(&o->b, depth, &rep, &err), MB_OK);
        CHECK_INT(rep.count, n);
        if (want != NULL)
            CHECK_HAS(rep.text.ptr, want);
        mb_report_free(&rep);
    }
}

/* Self-check o at both depths: no problem (want NULL) or one naming want. */
static void selfcheck(const one_bundle *o, const char *want)
{
    selfcheck_n(o, want != NULL, want);
}

/*
 * The section table is not covered by a checksum: a damaged one is a
 * problem of the self-check instead of a read outside the payload's text
 * (found by tests/fuzz/fuzz_bundle.c, tests/fuzz/regress/bundle/).
 */
static void test_checksum__selfcheck_checks_the_section_table(void)
{
    one_bundle o;

    memset(&o, 0, sizeof o);
    make_bundle(&o);
    selfcheck(&o, NULL);
    o.sections[0].offset = o.rev.raw_len + 1;
    selfcheck(&o, "embedded revision a1 (a1.sql) is corrupt: section 1 "
              "(offset 97, length 24) lies outside its 96-byte text");
    o.sections[0].offset = o.rev.raw_len; /* empty, at the very end: in */
    o.sections[0].len = 0;                /* the text, not the checksum */
    selfcheck(&o, "embedded revision a1 (a1.sql) is corrupt: its metadata");
    o.sections[0].len = (size_t)-1;
    selfcheck(&o, "section 1 (offset 96, length ");
    make_bundle(&o);
    o.sections[1].len++;
    selfcheck(&o, "section 2 (offset 82, length 15) lies outside");
    make_bundle(&o);
    o.sections[1].kind = 3;
    selfcheck(&o, "section 2 has kind 3, dialect 0, transaction 1");
    make_bundle(&o);
    o.sections[1].dialect = -1;
    selfcheck(&o, "section 2 has kind 2, dialect -1, transaction 1");
    make_bundle(&o);
    o.sections[0].transaction = 2;
    selfcheck(&o, "section 1 has kind 1, dialect 0, transaction 2");
    make_bundle(&o);
    o.sections[1].kind = MB_SECTION_UP;
    selfcheck(&o, "sections 1 and 2 have the same kind and dialect");
    make_bundle(&o);
    o.rev.n_sections = 0;
    selfcheck(&o, "it has no up section for every dialect");
    make_bundle(&o);
    o.sections[0].dialect = MB_DIALECT_SQLITE;
    selfcheck(&o, "it has no up section for every dialect");
    make_bundle(&o);
    o.rev.n_sections = 7;
    selfcheck(&o, "it counts 7 sections, 0 parents, 0 dependencies and 0 "
              "branch labels");
    make_bundle(&o);
    o.rev.n_branch_labels = MB_REVISION_MAX_ITEMS + 1;
    selfcheck(&o, "and 257 branch labels");
    mb_arena_free(&o.arena);
}

/* A fresh o whose list which (0 revises, 1 depends_on, 2 branch_labels)
 * is the one item ids[0]: a problem naming want. */
static void list_case(one_bundle *o, int which, const char *const *ids,
                      const char *want)
{
    make_bundle(o);
    if (which == 0) {
        o->rev.revises = ids;
        o->rev.n_revises = 1;
    } else if (which == 1) {
        o->rev.depends_on = ids;
        o->rev.n_depends_on = 1;
    } else {
        o->rev.branch_labels = ids;
        o->rev.n_branch_labels = 1;
    }
    selfcheck(o, want);
}

/*
 * The metadata checksums are XXH3-128 of the texts docs/format.md spells
 * out ("Metadata checksums"); every field the runtime acts on changes them.
 */
static void test_checksum__metadata_checksums(void)
{
    static const char *const parents[] = {"p1", "p2"};
    /* a space, a newline, 33 characters, empty */
    static const char *const bad_ids[] = {
        "p 1", "p1\nsection 1 0 1 5 42 24",
        "abcdefghijklmnopqrstuvwxyz0123456", ""};
    char want[MB_CHECKSUM_HEX + 1], got[MB_CHECKSUM_HEX + 1];
    mb_error err = MB_ERROR_INIT;
    mb_buf t = MB_BUF_INIT;
    one_bundle o;

    memset(&o, 0, sizeof o);
    make_bundle(&o);
    CHECK_INT(mb_buf_printf(&t, &err,
                            "migbundle-revision-meta-v1\n"
                            "id a1\npath 6 a1.sql\nmessage 1 t\n"
                            "create_date 0\nrevises 0\ndepends_on 0\n"
                            "branch_labels 0\nlines 3 0 0 0\n"
                            "checksum %s\nlength 96\nsections 2\n"
                            "section 1 0 1 5 42 24\n"
                            "section 2 0 1 7 82 14\n", o.rev.checksum),
              MB_OK);
    mb_checksum_hex(want, t.ptr, t.len);
    CHECK_STR(o.meta, want);
    /* the values of format.md's example (printf | xxhsum -H2) */
    CHECK_STR(o.rev.checksum, "33179ab453bfa5305ab2e0605be0ac79");
    CHECK_STR(o.meta, "90f950072daf91cc546c2a7b7e2672f8");
    mb_buf_clear(&t);
    CHECK_INT(mb_buf_printf(&t, &err,
                            "migbundle-bundle-meta-v1\nabi %u\nname -\n"
                            "generator -\ndefault_db -\ndigest %s\n"
                            "revisions 1\nrevision a1 %s\n",
                            MB_BUNDLE_ABI_VERSION, o.digest, o.meta),
              MB_OK);
    mb_checksum_hex(want, t.ptr, t.len);
    CHECK_STR(o.bundle_meta, want);
    mb_buf_free(&t);
    selfcheck(&o, NULL);

    /* a section moved by one byte, still inside the text */
    o.sections[1].offset--;
    selfcheck(&o, "embedded revision a1 (a1.sql) is corrupt: its metadata "
              "(header, parents, dependencies, labels or section table) do "
              "not match their checksum (recorded");
    make_bundle(&o);
    o.sections[1].transaction = 0;
    selfcheck(&o, "its metadata");
    make_bundle(&o);
    o.rev.revises = parents;
    o.rev.n_revises = 2;
    selfcheck(&o, "its metadata");
    make_bundle(&o);
    o.rev.message = "u";
    selfcheck(&o, "its metadata");
    make_bundle(&o);
    o.rev.meta_checksum = NULL; /* also a line of the bundle's */
    selfcheck_n(&o, 2, "do not match their checksum (recorded none, "
                "computed ");
    /* ids as the parser makes them, so no field can run into the next */
    make_bundle(&o);
    o.rev.id = "a 1"; /* also in the digest and the bundle's metadata */
    selfcheck_n(&o, 3, "embedded revision a 1 (a1.sql) is corrupt: its id "
                "is not a revision id");
    list_case(&o, 0, bad_ids, "embedded revision a1 (a1.sql) is corrupt: "
              "its parent 1 is not an id");
    list_case(&o, 1, bad_ids + 1, "its dependency 1 is not an id");
    list_case(&o, 2, bad_ids + 2, "its branch label 1 is not an id");
    list_case(&o, 2, NULL, "its branch label 1 is not an id");
    list_case(&o, 1, bad_ids + 3, "its dependency 1 is not an id");
    /* the bundle's own fields */
    make_bundle(&o);
    o.b.default_db = "sqlite:other.db";
    selfcheck(&o, "bundle metadata (name, generator, default database, "
              "digest or the revisions' metadata checksums) do not match "
              "their checksum (recorded ");
    make_bundle(&o);
    o.b.name = "other";
    selfcheck(&o, "bundle metadata");
    make_bundle(&o);
    o.b.meta_checksum = NULL;
    selfcheck(&o, "bundle metadata (name, generator, default database, "
              "digest or the revisions' metadata checksums) do not match "
              "their checksum (recorded none");
    /* a revision's recorded checksum edited with the record's: the
     * bundle's checksum, which covers it, differs */
    make_bundle(&o);
    o.sections[1].offset--;
    CHECK_INT(mb_revision_meta_hex(got, &o.rev, &err), MB_OK);
    memcpy(o.meta, got, sizeof got);
    selfcheck(&o, "bundle metadata");
    mb_arena_free(&o.arena);
}

/*
 * Texts longer than the chunk in which checksum.c gathers them before
 * XXH3 (1 KiB): a message and a path that each span chunks, and a digest
 * over 100 revisions, against the same texts hashed whole; the ids in
 * order and reversed (the digest sorts only the latter).
 */
static void test_checksum__long_texts(void)
{
    char message[3001], path[1501], ids[100][8], want[MB_CHECKSUM_HEX + 1];
    char got[MB_CHECKSUM_HEX + 1], rev_order[MB_CHECKSUM_HEX + 1];
    mb_revision revs[100];
    mb_error err = MB_ERROR_INIT;
    mb_buf t = MB_BUF_INIT;
    one_bundle o;
    size_t i;

    memset(message, 'm', sizeof message - 1);
    message[sizeof message - 1] = '\0';
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    memset(&o, 0, sizeof o);
    make_bundle(&o);
    o.rev.message = message;
    o.rev.path = path;
    CHECK_INT(mb_revision_meta_hex(got, &o.rev, &err), MB_OK);
    CHECK_INT(mb_buf_printf(&t, &err,
                            "migbundle-revision-meta-v1\n"
                            "id a1\npath 1500 %s\nmessage 3000 %s\n"
                            "create_date 0\nrevises 0\ndepends_on 0\n"
                            "branch_labels 0\nlines 3 0 0 0\n"
                            "checksum %s\nlength 96\nsections 2\n"
                            "section 1 0 1 5 42 24\n"
                            "section 2 0 1 7 82 14\n", path, message,
                            o.rev.checksum),
              MB_OK);
    mb_checksum_hex(want, t.ptr, t.len);
    CHECK_STR(got, want);
    /* that text through printf | xxhsum -H2 */
    CHECK_STR(got, "b7e14657e30ff3ec2a5f82cfe5ca656e");
    mb_buf_clear(&t);
    CHECK_INT(mb_buf_puts(&t, MB_DIGEST_FORMAT "\n", &err), MB_OK);
    for (i = 0; i < 100; i++) {
        snprintf(ids[i], sizeof ids[i], "r%03zu", i);
        revs[i] = (mb_revision){.id = ids[i],
                                .checksum = o.rev.checksum};
        CHECK_INT(mb_buf_printf(&t, &err, "%s %s\n", ids[i],
                                o.rev.checksum), MB_OK);
    }
    CHECK(t.len > 2048);
    mb_checksum_hex(want, t.ptr, t.len);
    CHECK_INT(mb_bundle_digest(got, revs, 100, &err), MB_OK);
    CHECK_STR(got, want);
    for (i = 0; i < 50; i++) {
        mb_revision r = revs[i];

        revs[i] = revs[99 - i];
        revs[99 - i] = r;
    }
    CHECK_INT(mb_bundle_digest(rev_order, revs, 100, &err), MB_OK);
    CHECK_STR(rev_order, want);
    mb_buf_free(&t);
    mb_arena_free(&o.arena);
}

static const mb_test tests[] = {
    MB_T(test_checksum__canonical_form),
    MB_T(test_checksum__known_answers),
    MB_T(test_checksum__stored_checksum_is_seeded),
    MB_T(test_checksum__digest_is_order_independent),
    MB_T(test_checksum__zip_round_trip_and_corruption),
    MB_T(test_checksum__buf_limit),
    MB_T(test_checksum__selfcheck_checks_the_section_table),
    MB_T(test_checksum__metadata_checksums),
    MB_T(test_checksum__long_texts),
};

MB_TEST_MAIN(tests)

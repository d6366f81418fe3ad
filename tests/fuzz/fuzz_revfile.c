/*
 * fuzz_revfile.c -- libFuzzer harness for mb_revfile_parse().
 *
 * The input is the raw bytes of one revision file. Built and run by
 * tests/fuzz/run.sh (ctest: fuzz.revfile); seeds in corpus/revfile/ (the
 * sample migrations and the single-file cases of tests/bad_input/).
 *
 * fuzz-sources: bundler/revfile.c runtime/checksum.c runtime/buf.c
 * fuzz-sources: runtime/arena.c runtime/error.c runtime/revision.c
 * fuzz-libs: -lxxhash
 *
 * On success:
 *   - the text is the canonical form of the input (mb_canonicalize), kept
 *     uncompressed (z_len 0, no stored checksum), NUL-terminated;
 *   - the checksum is 32 lowercase hex digits, mb_checksum_hex of it;
 *   - the id, every parent, dependency and branch label match
 *     [A-Za-z0-9_]{1,32} and are not head, heads or base; no list holds
 *     an item twice or the revision's own id; at most 256 items each;
 *   - the message is non-empty and, like the date, one line;
 *   - header line numbers are within the file, the id's is set;
 *   - 1 to 6 sections, each of a valid kind, dialect and transaction
 *     flag, no two for the same kind and dialect; each starts right
 *     after its marker line ("-- migrate:...", line numbers increasing)
 *     and runs inside the text up to the next marker or the end; every
 *     dialect has an up section;
 *   - parsing the canonical text again gives the same revision (where
 *     the input held CR CR LF, the canonical text still holds CR LF, which
 *     a second pass would change: then all but the text, its checksum
 *     and the sections' offsets and lengths).
 * On failure: MB_EPARSE naming the file given, at a line within the
 * file (or line 2, the missing separator line of a one-line file), with a
 * message and a hint; or MB_ENOMEM. Nothing leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzhelp.h"
#include "mb/checksum.h"
#include "mb/revision.h"
#include "revfile.h"

#define PATH "a1_fuzz.sql"
#define SHOWN "revisions/a1_fuzz.sql"


/* Lines of text[0..n): newlines plus one. */
static unsigned lines(const char *text, size_t n)
{
    unsigned count = 1;
    size_t i;

    for (i = 0; i < n; i++)
        count += text[i] == '\n';
    return count;
}

static int is_id(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > MB_ID_MAX || strcmp(s, "head") == 0 ||
        strcmp(s, "heads") == 0 || strcmp(s, "base") == 0)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* A list of ids: valid, distinct, without own. */
static void check_list(const char *const *v, unsigned n, const char *own)
{
    unsigned i, j;

    CHECK(n <= MB_REVISION_MAX_ITEMS);
    CHECK(n == 0 || v != NULL);
    for (i = 0; i < n; i++) {
        CHECK(is_id(v[i]) && strcmp(v[i], own) != 0);
        for (j = 0; j < i; j++)
            CHECK(strcmp(v[i], v[j]) != 0);
    }
}

static void check_sections(const mb_revision *r, unsigned nlines)
{
    const char *text = (const char *)r->data;
    unsigned i, j;

    CHECK(r->n_sections >= 1 && r->n_sections <= 6);
    for (i = 0; i < r->n_sections; i++) {
        const mb_section *s = &r->sections[i];
        size_t marker = s->offset; /* start of the marker line */
        size_t end = i + 1 < r->n_sections ? r->sections[i + 1].offset
                                           : r->raw_len;

        CHECK(s->kind == MB_SECTION_UP || s->kind == MB_SECTION_DOWN);
        CHECK(s->dialect == MB_DIALECT_ANY ||
              s->dialect == MB_DIALECT_POSTGRESQL ||
              s->dialect == MB_DIALECT_SQLITE);
        CHECK(s->transaction == 0 || s->transaction == 1);
        CHECK(s->line >= 1 && s->line <= nlines);
        CHECK(i == 0 || s->line > r->sections[i - 1].line);
        CHECK(s->offset <= r->raw_len && s->len <= r->raw_len - s->offset);
        for (j = 0; j < i; j++)
            CHECK(r->sections[j].kind != s->kind ||
                  r->sections[j].dialect != s->dialect);
        /* offset is just past the marker line (or the end of the text
         * when the marker is the last line, without a newline) */
        if (marker > 0 && text[marker - 1] == '\n')
            marker--;
        while (marker > 0 && text[marker - 1] != '\n')
            marker--;
        CHECK(strncmp(text + marker, "-- migrate:", 11) == 0);
        CHECK(lines(text, marker) == s->line);
        /* the section runs up to the next marker line or the end */
        if (i + 1 < r->n_sections) {
            size_t next = end;

            if (text[next - 1] == '\n')
                next--;
            while (next > 0 && text[next - 1] != '\n')
                next--;
            CHECK(s->offset + s->len == next);
        } else {
            CHECK(s->offset + s->len == r->raw_len);
        }
    }
    CHECK(mb_revision_section(r, MB_SECTION_UP, MB_DIALECT_POSTGRESQL));
    CHECK(mb_revision_section(r, MB_SECTION_UP, MB_DIALECT_SQLITE));
}

static void check_revision(const mb_revision *r, const char *input,
                           size_t size)
{
    mb_buf canon = MB_BUF_INIT;
    char sum[MB_CHECKSUM_HEX + 1];
    unsigned nlines = lines(input, size);
    const char *text = (const char *)r->data;

    CHECK(mb_canonicalize(&canon, input, size, NULL) == MB_OK);
    CHECK(r->z_len == 0 && r->stored_checksum == NULL && text != NULL);
    CHECK(r->raw_len == canon.len && text[r->raw_len] == '\0');
    CHECK(memcmp(text, canon.ptr ? canon.ptr : "", canon.len) == 0);
    mb_buf_free(&canon);
    CHECK(mb_checksum_valid(r->checksum));
    mb_checksum_hex(sum, text, r->raw_len);
    CHECK(strcmp(sum, r->checksum) == 0);
    CHECK(strcmp(r->path, PATH) == 0);
    CHECK(is_id(r->id));
    check_list(r->revises, r->n_revises, r->id);
    check_list(r->depends_on, r->n_depends_on, r->id);
    check_list(r->branch_labels, r->n_branch_labels, r->id);
    CHECK(r->message[0] != '\0' && strchr(r->message, '\n') == NULL);
    CHECK(strchr(r->create_date, '\n') == NULL);
    CHECK(r->id_line >= 3 && r->id_line <= nlines);
    CHECK(r->revises_line <= nlines && r->depends_line <= nlines &&
          r->labels_line <= nlines);
    CHECK(r->n_revises == 0 || r->revises_line >= 3);
    CHECK(r->n_depends_on == 0 || r->depends_line >= 3);
    CHECK(r->n_branch_labels == 0 || r->labels_line >= 3);
    check_sections(r, nlines);
}

static int same_strv(const char *const *a, const char *const *b, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        if (strcmp(a[i], b[i]) != 0)
            return 0;
    }
    return 1;
}

/* The bytes of a revision that come from its text. */
static void check_same_text(const mb_revision *a, const mb_revision *b)
{
    unsigned i;

    CHECK(b->raw_len == a->raw_len &&
          memcmp(b->data, a->data, a->raw_len) == 0);
    CHECK(strcmp(b->checksum, a->checksum) == 0);
    for (i = 0; i < a->n_sections; i++)
        CHECK(b->sections[i].offset == a->sections[i].offset &&
              b->sections[i].len == a->sections[i].len);
}

/*
 * The canonical text parses to the same revision. The canonical form is
 * one pass of CRLF -> LF, so a text that still holds a CRLF (the input had
 * CR CR LF) loses that CR too: its offsets and checksum differ, the rest
 * is the same.
 */
static void check_again(const mb_revision *r)
{
    mb_arena arena = MB_ARENA_INIT;
    mb_error err = MB_ERROR_INIT;
    mb_revision b;
    unsigned i;

    CHECK(mb_revfile_parse(&b, &arena, PATH, SHOWN, (const char *)r->data,
                           r->raw_len, &err) == MB_OK);
    if (strstr((const char *)r->data, "\r\n") == NULL)
        check_same_text(r, &b);
    CHECK(strcmp(b.id, r->id) == 0 && strcmp(b.message, r->message) == 0);
    CHECK(strcmp(b.create_date, r->create_date) == 0);
    CHECK(b.n_revises == r->n_revises && b.n_depends_on == r->n_depends_on &&
          b.n_branch_labels == r->n_branch_labels);
    CHECK(same_strv(b.revises, r->revises, r->n_revises));
    CHECK(same_strv(b.depends_on, r->depends_on, r->n_depends_on));
    CHECK(same_strv(b.branch_labels, r->branch_labels, r->n_branch_labels));
    CHECK(b.id_line == r->id_line && b.revises_line == r->revises_line &&
          b.depends_line == r->depends_line &&
          b.labels_line == r->labels_line);
    CHECK(b.n_sections == r->n_sections);
    for (i = 0; i < r->n_sections; i++) {
        const mb_section *x = &r->sections[i], *y = &b.sections[i];

        CHECK(x->kind == y->kind && x->dialect == y->dialect &&
              x->transaction == y->transaction && x->line == y->line);
    }
    mb_arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mb_arena arena = MB_ARENA_INIT;
    mb_error err = MB_ERROR_INIT;
    mb_revision r;
    char *copy = malloc(size ? size : 1); /* nothing readable after it */
    int rc;

    CHECK(copy != NULL);
    memcpy(copy, data, size);
    memset(&r, 0, sizeof r);
    rc = mb_revfile_parse(&r, &arena, PATH, SHOWN, copy, size, &err);
    if (rc == MB_OK) {
        CHECK(err.code == MB_OK);
        check_revision(&r, copy, size);
        check_again(&r);
    } else {
        CHECK(rc == MB_EPARSE || rc == MB_ENOMEM);
        CHECK(err.code == rc && err.msg[0] != '\0');
        CHECK(r.id == NULL);
        if (rc == MB_EPARSE) {
            CHECK(strcmp(err.file, SHOWN) == 0);
            /* a missing separator line is reported as line 2 even in a
             * one-line file (docs/format.md: "line 2 is missing") */
            CHECK(err.line >= 1 && ((unsigned)err.line <= lines(copy, size) ||
                                    err.line == 2));
            CHECK(err.hint[0] != '\0');
        }
    }
    mb_arena_free(&arena);
    free(copy);
    return 0;
}

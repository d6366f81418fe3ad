/*
 * revfile.c -- parse one revision file into an mb_revision (see
 * revfile.h and docs/format.md).
 *
 * Two passes. The first looks at the raw bytes: size, UTF-16, NUL bytes
 * and UTF-8, counting lines so that it can name the offending one. The
 * second walks the canonical form (mb_canonicalize: CRLF -> LF, no BOM)
 * line by line through a small state machine: the message line, the empty
 * `--` separator, the key block, free header text, the comments before
 * the first section, then the sections. Neither pass recurses and every
 * loop is bounded by the text length or a small constant.
 *
 * Everything the result points to is allocated from the caller's arena;
 * on failure the arena may hold partial results, freed with it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "mb/buf.h"
#include "mb/checksum.h"
#include "mb/revision.h"
#include "revfile.h"

#define QUOTE_MAX 64   /* longest piece of the file quoted in a message */
#define LEV_MAX 32     /* longest word compared for a "did you mean" */
#define LEV_CLOSE 3    /* at most this many edits away: a likely typo */

enum state {
    ST_MESSAGE,   /* line 1: "-- <message>" */
    ST_SEPARATOR, /* line 2: "--" */
    ST_KEYS,      /* "-- Key: value" lines */
    ST_FREE,      /* header free text after the key block */
    ST_BODY       /* after the header: comments, then sections */
};

enum key { K_ID, K_REVISES, K_DATE, K_LABELS, K_DEPENDS, N_KEYS };

static const char *const key_names[N_KEYS] = {
    "Revision ID", "Revises", "Create Date", "Branch Labels", "Depends On"
};

static const char id_hint[] =
    "a revision id is 1 to 32 letters, digits or underscores";
static const char label_hint[] =
    "a branch label is 1 to 32 letters, digits or underscores";

/* A comma-separated header value, split. */
typedef struct list {
    const char **items;
    unsigned n;
} list;

typedef struct parser {
    mb_arena *arena;
    unsigned flags;     /* MB_REVFILE_* */
    const char *shown;  /* file name in errors */
    mb_error *err;
    const char *text;   /* canonical text, NUL-terminated */
    size_t len;
    /* the current line: text[start .. start + n), number line */
    size_t start;
    size_t n;
    size_t next;        /* start of the following line */
    unsigned line;
    enum state state;
    /* header */
    const char *message;
    const char *id;
    const char *create_date;
    list lists[N_KEYS]; /* used for K_REVISES, K_LABELS, K_DEPENDS */
    unsigned key_line[N_KEYS]; /* 0: key not given */
    unsigned key_end;   /* line that ended the key block; 0: end of file */
    /* sections; duplicates are rejected, so this is enough */
    mb_section sections[MB_REVISION_MAX_SECTIONS];
    unsigned n_sections;
} parser;

/* --- small helpers ------------------------------------------------------- */

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Shrink [*s, *s + *n) to drop whitespace at both ends. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static int is_blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!is_space((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

static int equals(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static int equals_ci(const char *s, size_t n, const char *word)
{
    size_t i;

    if (strlen(word) != n)
        return 0;
    for (i = 0; i < n; i++) {
        if (lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
            return 0;
    }
    return 1;
}

/*
 * How many bytes of s[0..n) to quote in a message: at most QUOTE_MAX, cut
 * before a UTF-8 continuation byte so the quote stays valid UTF-8.
 */
static int qlen(const char *s, size_t n)
{
    size_t cut = n;

    if (cut > QUOTE_MAX) {
        cut = QUOTE_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    return (int)cut;
}

/*
 * Case-insensitive Levenshtein distance, for "did you mean" hints. Words
 * longer than LEV_MAX are never close: LEV_MAX + 1.
 */
static unsigned distance(const char *a, size_t an, const char *b)
{
    unsigned row[LEV_MAX + 1];
    size_t bn = strlen(b), i, j;

    if (an > LEV_MAX || bn > LEV_MAX)
        return LEV_MAX + 1;
    for (j = 0; j <= bn; j++)
        row[j] = (unsigned)j;
    for (i = 1; i <= an; i++) {
        unsigned diag = row[0]; /* d[i-1][j-1] */

        row[0] = (unsigned)i;
        for (j = 1; j <= bn; j++) {
            unsigned above = row[j]; /* d[i-1][j] */
            unsigned best = diag + (lower((unsigned char)a[i - 1]) !=
                                    lower((unsigned char)b[j - 1]));

            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = above;
            row[j] = best;
        }
    }
    return row[bn];
}

/* [A-Za-z0-9_]{1,MB_ID_MAX} */
static int is_id(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > MB_ID_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

static int is_reserved(const char *s, size_t n)
{
    return equals(s, n, "head") || equals(s, n, "heads") ||
           equals(s, n, "base");
}

static int nomem(mb_error *err)
{
    return mb_error_set(err, MB_ENOMEM, "out of memory");
}

/* Raise MB_EPARSE at line of the parsed file; the hint is set after. */
static int fail(parser *p, unsigned line, const char *fmt, ...)
    MB_PRINTF(3, 4);

static int fail(parser *p, unsigned line, const char *fmt, ...)
{
    char msg[sizeof p->err->msg];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    return mb_error_at(p->err, MB_EPARSE, p->shown, (int)line, "%s", msg);
}

/* --- pass 1: the raw bytes ----------------------------------------------- */

/*
 * Length of the valid UTF-8 sequence at s[0..n) (n > 0, s[0] >= 0x80), or
 * 0 when it is invalid: *bad is then the number of bytes that show it and
 * *cut is 1 when the text ends inside an otherwise valid sequence.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad,
                       int *cut)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need, k;

    *cut = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* beyond U+10FFFF */
    } else {
        *bad = 1; /* continuation byte, overlong lead or beyond U+10FFFF */
        return 0;
    }
    for (k = 1; k <= need; k++) {
        if (k >= n) {
            *bad = n;
            *cut = 1;
            return 0;
        }
        if (s[k] < lo || s[k] > hi) {
            *bad = k + 1;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

static int check_raw(parser *p, const unsigned char *s, size_t len)
{
    unsigned line = 1;
    size_t i = 0;

    if (len > MB_REVFILE_MAX) {
        fail(p, 1, "file is larger than the limit of %zu MiB (%zu bytes)",
             MB_REVFILE_MAX >> 20, len);
        mb_error_hint(p->err, "split it into several revisions");
        return MB_EPARSE;
    }
    if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) ||
                     (s[0] == 0xFE && s[1] == 0xFF))) {
        fail(p, 1, "file is UTF-16");
        mb_error_hint(p->err, "save it as UTF-8");
        return MB_EPARSE;
    }
    while (i < len) {
        char hex[4 * 5 + 1] = "";
        size_t seq, bad, k, used = 0;
        int cut;

        if (s[i] == '\n')
            line++;
        if (s[i] == '\0') {
            fail(p, line, "file contains a NUL byte");
            mb_error_hint(p->err,
                          "save it as UTF-8 text (is it UTF-16 or binary?)");
            return MB_EPARSE;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        seq = utf8_seq(s + i, len - i, &bad, &cut);
        if (seq > 0) {
            i += seq;
            continue;
        }
        for (k = 0; k < bad; k++) {
            used += (size_t)snprintf(hex + used, sizeof hex - used,
                                     "%s0x%02x", k ? " " : "", s[i + k]);
        }
        if (cut)
            fail(p, line, "incomplete UTF-8 sequence %s at end of file",
                 hex);
        else
            fail(p, line, "invalid UTF-8 sequence %s", hex);
        mb_error_hint(p->err, "save the file as UTF-8");
        return MB_EPARSE;
    }
    return MB_OK;
}

/* --- the header ---------------------------------------------------------- */

/* Split a list value, check its items and store them in *out. */
static int parse_list(parser *p, enum key k, const char *v, size_t vn,
                      list *out)
{
    const char *name = key_names[k];
    int labels = k == K_LABELS;
    const char *what = labels ? "branch label" : "revision id";
    size_t i, count = 1, pos = 0;

    out->items = NULL;
    out->n = 0;
    if (vn == 0)
        return MB_OK;
    for (i = 0; i < vn; i++) {
        if (v[i] == ',')
            count++;
    }
    if (count > MB_REVISION_MAX_ITEMS) {
        fail(p, p->line, "too many items in \"%s\" (%zu)", name, count);
        mb_error_hint(p->err, "a list may have at most %d items",
                      MB_REVISION_MAX_ITEMS);
        return MB_EPARSE;
    }
    out->items = mb_arena_alloc(p->arena, count * sizeof *out->items);
    if (out->items == NULL)
        return nomem(p->err);
    for (i = 0; i < count; i++) {
        const char *item = v + pos, *comma;
        size_t n, j;

        comma = memchr(item, ',', vn - pos);
        n = comma ? (size_t)(comma - item) : vn - pos;
        pos += n + 1;
        trim(&item, &n);
        if (n == 0) {
            fail(p, p->line, "empty item in \"%s\"", name);
            mb_error_hint(p->err, "separate the items with single commas, "
                          "without a trailing comma");
            return MB_EPARSE;
        }
        if (!is_id(item, n)) {
            if (labels)
                fail(p, p->line, "invalid branch label \"%.*s\"",
                     qlen(item, n), item);
            else
                fail(p, p->line, "invalid revision id \"%.*s\" in \"%s\"",
                     qlen(item, n), item, name);
            mb_error_hint(p->err, "%s", labels ? label_hint : id_hint);
            return MB_EPARSE;
        }
        if (is_reserved(item, n)) {
            if (labels) {
                fail(p, p->line, "branch label \"%.*s\" is reserved",
                     (int)n, item);
                mb_error_hint(p->err, "\"head\", \"heads\" and \"base\" "
                              "have a meaning of their own in targets; "
                              "choose another label");
            } else {
                fail(p, p->line, "reserved name \"%.*s\" in \"%s\"",
                     (int)n, item, name);
                if (k == K_REVISES && equals(item, n, "base"))
                    mb_error_hint(p->err, "leave \"Revises\" empty for a "
                                  "base revision");
                else
                    mb_error_hint(p->err, "name the revision by its full "
                                  "id");
            }
            return MB_EPARSE;
        }
        for (j = 0; j < out->n; j++) {
            if (equals(item, n, out->items[j])) {
                fail(p, p->line, "duplicate %s \"%.*s\" in \"%s\"", what,
                     (int)n, item, name);
                mb_error_hint(p->err, "list each %s once", what);
                return MB_EPARSE;
            }
        }
        out->items[out->n] = mb_arena_strndup(p->arena, item, n);
        if (out->items[out->n] == NULL)
            return nomem(p->err);
        out->n++;
    }
    return MB_OK;
}

static int parse_id(parser *p, const char *v, size_t vn)
{
    if (vn == 0 || !is_id(v, vn)) {
        if (vn == 0)
            fail(p, p->line, "\"Revision ID\" is empty");
        else
            fail(p, p->line, "invalid revision id \"%.*s\"", qlen(v, vn),
                 v);
        mb_error_hint(p->err, "%s", id_hint);
        return MB_EPARSE;
    }
    if (is_reserved(v, vn)) {
        fail(p, p->line, "revision id \"%.*s\" is reserved", (int)vn, v);
        mb_error_hint(p->err, "\"head\", \"heads\" and \"base\" have a "
                      "meaning of their own in targets; choose another id");
        return MB_EPARSE;
    }
    p->id = mb_arena_strndup(p->arena, v, vn);
    return p->id ? MB_OK : nomem(p->err);
}

static int unknown_key(parser *p, const char *key, size_t kn)
{
    unsigned best = LEV_CLOSE + 1;
    int k, pick = -1;

    for (k = 0; k < N_KEYS; k++) {
        unsigned d = distance(key, kn, key_names[k]);

        if (d < best) {
            best = d;
            pick = k;
        }
    }
    fail(p, p->line, "unknown header key \"%.*s\"", qlen(key, kn), key);
    if (pick >= 0)
        mb_error_hint(p->err, "did you mean \"%s\"?", key_names[pick]);
    else
        mb_error_hint(p->err, "the keys are \"Revision ID\", \"Revises\", "
                      "\"Create Date\", \"Branch Labels\" and "
                      "\"Depends On\"; put free text after an empty "
                      "\"--\" line");
    return MB_EPARSE;
}

/* The key a "Key: value" text s[0..n) names, or -1 (kn: the key's length). */
static int key_of(const char *s, size_t n, size_t *kn)
{
    const char *colon = memchr(s, ':', n);
    size_t len;
    int k;

    if (colon == NULL)
        return -1;
    len = (size_t)(colon - s);
    trim(&s, &len);
    *kn = len;
    for (k = 0; k < N_KEYS; k++) {
        if (equals(s, len, key_names[k]))
            return k;
    }
    return -1;
}

/* One line of the key block; an empty `--` line ends it. */
static int on_key(parser *p)
{
    const char *s = p->text + p->start + 2, *colon, *v;
    size_t n = p->n - 2, kn, vn;
    int found;

    trim(&s, &n);
    if (n == 0) {
        p->key_end = p->line;
        p->state = ST_FREE;
        return MB_OK;
    }
    colon = memchr(s, ':', n);
    if (colon == NULL) {
        fail(p, p->line, "expected \"-- Key: value\" in the header key "
             "block");
        mb_error_hint(p->err, "end the key block with an empty \"--\" "
                      "line before free text");
        return MB_EPARSE;
    }
    found = key_of(s, n, &kn);
    v = colon + 1;
    vn = n - (size_t)(v - s);
    trim(&v, &vn);
    if (found < 0) {
        kn = (size_t)(colon - s);
        trim(&s, &kn);
        return unknown_key(p, s, kn);
    }
    if (p->key_line[found] != 0) {
        fail(p, p->line, "duplicate header key \"%s\"", key_names[found]);
        mb_error_hint(p->err, "\"%s\" is already set on line %u; give "
                      "each key once", key_names[found],
                      p->key_line[found]);
        return MB_EPARSE;
    }
    p->key_line[found] = p->line;
    switch (found) {
    case K_ID:
        return parse_id(p, v, vn);
    case K_DATE:
        p->create_date = mb_arena_strndup(p->arena, v, vn);
        return p->create_date ? MB_OK : nomem(p->err);
    default:
        return parse_list(p, (enum key)found, v, vn, &p->lists[found]);
    }
}

/* 1 when list l holds the revision's own id. */
static int has_item(const list *l, const char *id)
{
    unsigned i;

    for (i = 0; i < l->n; i++) {
        if (strcmp(l->items[i], id) == 0)
            return 1;
    }
    return 0;
}

/* The header is complete: check what needs all of it. */
static int finish_header(parser *p)
{
    unsigned end = p->key_end ? p->key_end : p->line;

    p->state = ST_BODY;
    if (p->id == NULL) {
        fail(p, end, "missing \"Revision ID\" in the header");
        mb_error_hint(p->err, "add \"-- Revision ID: <id>\" to the header "
                      "key block");
        return MB_EPARSE;
    }
    if (has_item(&p->lists[K_REVISES], p->id)) {
        fail(p, p->key_line[K_REVISES], "revision \"%s\" revises itself",
             p->id);
        mb_error_hint(p->err, "\"Revises\" names the parent revisions; "
                      "leave it empty for a base revision");
        return MB_EPARSE;
    }
    if (has_item(&p->lists[K_DEPENDS], p->id)) {
        fail(p, p->key_line[K_DEPENDS], "revision \"%s\" depends on itself",
             p->id);
        mb_error_hint(p->err, "\"Depends On\" names other revisions that "
                      "must be applied first");
        return MB_EPARSE;
    }
    if (has_item(&p->lists[K_LABELS], p->id)) {
        fail(p, p->key_line[K_LABELS], "branch label \"%s\" equals the "
             "revision id", p->id);
        mb_error_hint(p->err, "choose a label that differs from every "
                      "revision id");
        return MB_EPARSE;
    }
    return MB_OK;
}

/* --- sections ------------------------------------------------------------ */

/*
 * 1 when the line is meant as a section marker: optional indentation,
 * then case-insensitively `--`, `migrate`, `:` with optional whitespace
 * between them. Only `-- migrate:` at the start of the line is valid.
 */
static int looks_like_marker(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && is_space((unsigned char)s[i]))
        i++;
    if (n - i < 2 || s[i] != '-' || s[i + 1] != '-')
        return 0;
    i += 2;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    if (n - i < 7 || !equals_ci(s + i, 7, "migrate"))
        return 0;
    i += 7;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    return i < n && s[i] == ':';
}

/* A marker that looks like one but is not exact: say how to write it. */
static int bad_marker(parser *p)
{
    const char *s = p->text + p->start, *w, *rest, *kind = NULL;
    size_t n = p->n, wn, rn;
    const char *line = s;
    size_t ln = n;
    int indented = is_space((unsigned char)s[0]);

    trim(&line, &ln);
    /* looks_like_marker() found the colon; nothing before it is one */
    w = (const char *)memchr(s, ':', n) + 1;
    wn = n - (size_t)(w - s);
    trim(&w, &wn);
    rest = w;
    while (rest < w + wn && !is_space((unsigned char)*rest))
        rest++;
    rn = wn - (size_t)(rest - w);
    wn = (size_t)(rest - w);
    trim(&rest, &rn);
    if (distance(w, wn, "up") <= 1)
        kind = "up";
    else if (distance(w, wn, "down") <= 2)
        kind = "down";
    fail(p, p->line, "malformed section marker \"%.*s\"", qlen(line, ln),
         line);
    if (kind != NULL)
        mb_error_hint(p->err, "write it as \"-- migrate:%s%s%.*s\"%s", kind,
                      rn ? " " : "", qlen(rest, rn), rest,
                      indented ? ", at the start of the line" : "");
    else
        mb_error_hint(p->err, "write \"-- migrate:up\" or \"-- migrate:"
                      "down\" at the start of the line");
    return MB_EPARSE;
}

/* Hint for an unknown dialect value: the dialect it most likely means. */
static void dialect_hint(parser *p, const char *v, size_t vn)
{
    if (distance(v, vn, "postgresql") <= LEV_CLOSE ||
        equals_ci(v, vn, "pg") || equals_ci(v, vn, "pgsql") ||
        equals_ci(v, vn, "psql"))
        mb_error_hint(p->err, "did you mean dialect:postgresql?");
    else if (distance(v, vn, "sqlite") <= 2 ||
             distance(v, vn, "sqlite3") <= 2)
        mb_error_hint(p->err, "did you mean dialect:sqlite?");
    else
        mb_error_hint(p->err, "use dialect:postgresql or dialect:sqlite");
}

/*
 * One marker option t[0..tn): name:value. *seen holds, per option name,
 * the token that set it (NULL: not yet), to catch repeats.
 */
static int parse_option(parser *p, mb_section *sec, const char *t,
                        size_t tn, const char *seen[2], size_t seen_n[2])
{
    const char *colon = memchr(t, ':', tn), *v;
    size_t nn = colon ? (size_t)(colon - t) : tn, vn;
    int which, ok;

    v = colon ? colon + 1 : t + tn;
    vn = tn - (size_t)(v - t);
    if (equals(t, nn, "transaction")) {
        which = 0;
        ok = equals(v, vn, "false") || equals(v, vn, "true");
    } else if (equals(t, nn, "dialect")) {
        which = 1;
        ok = equals(v, vn, "postgresql") || equals(v, vn, "sqlite");
    } else {
        fail(p, p->line, "unknown section option \"%.*s\"", qlen(t, tn), t);
        if (distance(t, nn, "transaction") <= LEV_CLOSE)
            mb_error_hint(p->err, "use transaction:false or "
                          "transaction:true");
        else if (distance(t, nn, "dialect") <= LEV_CLOSE)
            mb_error_hint(p->err, "use dialect:postgresql or "
                          "dialect:sqlite");
        else
            mb_error_hint(p->err, "the options are transaction:false, "
                          "transaction:true, dialect:postgresql and "
                          "dialect:sqlite");
        return MB_EPARSE;
    }
    if (!ok) {
        fail(p, p->line, "unknown section option \"%.*s\"", qlen(t, tn), t);
        if (which == 0)
            mb_error_hint(p->err, "use transaction:false or "
                          "transaction:true");
        else
            dialect_hint(p, v, vn);
        return MB_EPARSE;
    }
    if (seen[which] != NULL) {
        if (seen_n[which] == tn && memcmp(seen[which], t, tn) == 0) {
            fail(p, p->line, "duplicate section option \"%.*s\"", (int)tn,
                 t);
            mb_error_hint(p->err, "give each option once");
        } else {
            fail(p, p->line, "conflicting section options \"%.*s\" and "
                 "\"%.*s\"", (int)seen_n[which], seen[which], (int)tn, t);
            if (which == 0)
                mb_error_hint(p->err, "give one transaction option");
            else
                mb_error_hint(p->err, "give one dialect; write a section "
                              "for each dialect");
        }
        return MB_EPARSE;
    }
    seen[which] = t;
    seen_n[which] = tn;
    if (which == 0)
        sec->transaction = equals(v, vn, "true");
    else
        sec->dialect = equals(v, vn, "sqlite") ? MB_DIALECT_SQLITE
                                               : MB_DIALECT_POSTGRESQL;
    return MB_OK;
}

static const char *kind_name(int kind)
{
    return kind == MB_SECTION_UP ? "up" : "down";
}

static const char *dialect_name(int dialect)
{
    return dialect == MB_DIALECT_POSTGRESQL ? "postgresql" : "sqlite";
}

/* The current line is a marker: parse it and start a section. */
static int open_section(parser *p)
{
    static const char prefix[] = "-- migrate:";
    const char *s = p->text + p->start, *end = s + p->n, *w, *q;
    const char *seen[2] = {NULL, NULL};
    size_t seen_n[2] = {0, 0};
    size_t wn;
    mb_section sec;
    unsigned i;
    int rc;

    if (p->n < sizeof prefix - 1 ||
        memcmp(s, prefix, sizeof prefix - 1) != 0)
        return bad_marker(p);
    w = s + sizeof prefix - 1;
    q = w;
    while (q < end && !is_space((unsigned char)*q))
        q++;
    wn = (size_t)(q - w);
    memset(&sec, 0, sizeof sec);
    if (equals(w, wn, "up"))
        sec.kind = MB_SECTION_UP;
    else if (equals(w, wn, "down"))
        sec.kind = MB_SECTION_DOWN;
    else
        return bad_marker(p);
    sec.dialect = MB_DIALECT_ANY;
    sec.transaction = 1;
    sec.line = p->line;
    sec.offset = p->next;
    while (q < end) {
        const char *t;

        while (q < end && is_space((unsigned char)*q))
            q++;
        t = q;
        while (q < end && !is_space((unsigned char)*q))
            q++;
        if (q > t &&
            (rc = parse_option(p, &sec, t, (size_t)(q - t), seen,
                               seen_n)) < 0)
            return rc;
    }
    for (i = 0; i < p->n_sections; i++) {
        const mb_section *o = &p->sections[i];

        if (o->kind != sec.kind || o->dialect != sec.dialect)
            continue;
        if (sec.dialect == MB_DIALECT_ANY)
            fail(p, p->line, "duplicate %s section", kind_name(sec.kind));
        else
            fail(p, p->line, "duplicate %s section for dialect %s",
                 kind_name(sec.kind), dialect_name(sec.dialect));
        mb_error_hint(p->err, "the first one is on line %u; put all of "
                      "its statements in one section", o->line);
        return MB_EPARSE;
    }
    if (p->n_sections >= MB_REVISION_MAX_SECTIONS) /* unreachable */
        return mb_error_set(p->err, MB_ERROR, "too many sections");
    p->sections[p->n_sections++] = sec;
    return MB_OK;
}

/*
 * 1 when s[0..n) holds a statement: anything but whitespace, semicolons,
 * `--` comments and (unnested) `/ * * /` comments. When there is none and
 * a block comment runs to the end, *open is its offset, else n.
 */
static int has_statement(const char *s, size_t n, size_t *open)
{
    size_t i = 0;

    while (i < n) {
        char c = s[i];

        if (is_space((unsigned char)c) || c == '\n' || c == ';') {
            i++;
        } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            const char *nl = memchr(s + i, '\n', n - i);

            i = nl ? (size_t)(nl - s) + 1 : n;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t start = i;

            i += 2;
            while (i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'))
                i++;
            if (i == n) {
                *open = start;
                return 0;
            }
            i += 2;
        } else {
            return 1;
        }
    }
    *open = n;
    return 0;
}

/* The line of offset off in the text, counting from the section's line. */
static unsigned line_at(const mb_section *sec, const char *text, size_t off)
{
    unsigned line = sec->line + 1;
    size_t i;

    for (i = 0; i < off; i++)
        line += text[i] == '\n';
    return line;
}

/* The open section ends where end is (the next marker or end of text). */
static int close_section(parser *p, size_t end)
{
    mb_section *sec;
    const char *body;
    size_t open;

    if (p->n_sections == 0)
        return MB_OK;
    sec = &p->sections[p->n_sections - 1];
    sec->len = end - sec->offset;
    body = p->text + sec->offset;
    if (has_statement(body, sec->len, &open))
        return MB_OK;
    if (open < sec->len) {
        fail(p, line_at(sec, body, open), "unterminated block comment");
        mb_error_hint(p->err, "close it with */ before the section ends "
                      "(the %s section opens on line %u)",
                      kind_name(sec->kind), sec->line);
        return MB_EPARSE;
    }
    if (sec->kind == MB_SECTION_UP && p->lists[K_REVISES].n < 2 &&
        !(p->flags & MB_REVFILE_DRAFT)) {
        fail(p, sec->line, "up section has no statement");
        mb_error_hint(p->err, "write the revision's SQL after the marker; "
                      "only a merge (several \"Revises\") may have an "
                      "empty up section");
        return MB_EPARSE;
    }
    return MB_OK;
}

/* A line after the header: a marker, SQL in a section, or a comment. */
static int on_body(parser *p, int marker)
{
    const char *s = p->text + p->start;
    size_t i = 0;
    int rc;

    if (marker) {
        if ((rc = close_section(p, p->start)) < 0)
            return rc;
        return open_section(p);
    }
    if (p->n_sections > 0)
        return MB_OK;
    while (i < p->n && is_space((unsigned char)s[i]))
        i++;
    if (i == p->n || (p->n - i >= 2 && s[i] == '-' && s[i + 1] == '-'))
        return MB_OK;
    fail(p, p->line, "SQL outside any section");
    mb_error_hint(p->err, "put statements after \"-- migrate:up\" or "
                  "\"-- migrate:down\"");
    return MB_EPARSE;
}

static int has_section(const parser *p, int kind, int dialect)
{
    unsigned i;

    for (i = 0; i < p->n_sections; i++) {
        if (p->sections[i].kind == kind && p->sections[i].dialect == dialect)
            return 1;
    }
    return 0;
}

/* Every dialect needs an up section: the generic one or its own. */
static int check_up(parser *p)
{
    int pg = has_section(p, MB_SECTION_UP, MB_DIALECT_POSTGRESQL);
    int lite = has_section(p, MB_SECTION_UP, MB_DIALECT_SQLITE);
    unsigned last = p->line ? p->line : 1;

    if (has_section(p, MB_SECTION_UP, MB_DIALECT_ANY) || (pg && lite))
        return MB_OK;
    if (!pg && !lite) {
        fail(p, last, "revision has no up section");
        mb_error_hint(p->err, "add a \"-- migrate:up\" section");
    } else {
        const char *missing = pg ? "sqlite" : "postgresql";

        fail(p, last, "revision has no up section for %s", missing);
        mb_error_hint(p->err, "add a \"-- migrate:up\" section for every "
                      "dialect, or \"-- migrate:up dialect:%s\"", missing);
    }
    return MB_EPARSE;
}

/* --- pass 2: the lines --------------------------------------------------- */

static int next_line(parser *p)
{
    const char *s, *nl;

    if (p->next >= p->len)
        return 0;
    p->start = p->next;
    s = p->text + p->start;
    nl = memchr(s, '\n', p->len - p->start);
    p->n = nl ? (size_t)(nl - s) : p->len - p->start;
    p->next = nl ? p->start + p->n + 1 : p->len;
    p->line++;
    return 1;
}

static int header_start_error(parser *p)
{
    fail(p, 1, "revision file must start with a \"--\" header block");
    mb_error_hint(p->err, "start the file with \"-- <message>\", an empty "
                  "\"--\" line and \"-- Revision ID: <id>\"");
    return MB_EPARSE;
}

static int separator_error(parser *p)
{
    fail(p, 2, "expected an empty \"--\" line after the message");
    mb_error_hint(p->err, "an empty \"--\" line separates the message from "
                  "the keys");
    return MB_EPARSE;
}

static int parse_lines(parser *p)
{
    int rc = MB_OK;

    while (rc == MB_OK && next_line(p)) {
        const char *s = p->text + p->start, *m;
        size_t n = p->n, kn;
        int marker = looks_like_marker(s, n), k;
        int hdr = !marker && n >= 2 && s[0] == '-' && s[1] == '-';

        if (p->state == ST_MESSAGE) {
            if (!hdr)
                return header_start_error(p);
            m = s + 2;
            n -= 2;
            trim(&m, &n);
            if ((k = key_of(m, n, &kn)) >= 0) {
                fail(p, 1, "header starts with the key \"%s\", not with "
                     "a message", key_names[k]);
                mb_error_hint(p->err, "begin with a one-line message "
                              "(\"-- add users table\"), then an empty "
                              "\"--\" line, then the keys");
                return MB_EPARSE;
            }
            if (n == 0) {
                fail(p, 1, "revision message is empty");
                mb_error_hint(p->err, "say what the revision does on the "
                              "first line, e.g. \"-- add users table\"");
                return MB_EPARSE;
            }
            p->message = mb_arena_strndup(p->arena, m, n);
            if (p->message == NULL)
                return nomem(p->err);
            p->state = ST_SEPARATOR;
        } else if (p->state == ST_SEPARATOR) {
            if (!hdr || !is_blank(s + 2, n - 2))
                return separator_error(p);
            p->state = ST_KEYS;
        } else if (p->state == ST_KEYS && hdr) {
            rc = on_key(p);
        } else if (p->state == ST_FREE && hdr) {
            /* free text: hashed with the rest, otherwise ignored */
        } else {
            if (p->state == ST_KEYS)
                p->key_end = p->line;
            if (p->state != ST_BODY && (rc = finish_header(p)) < 0)
                return rc;
            rc = on_body(p, marker);
        }
    }
    if (rc < 0)
        return rc;
    if (p->state == ST_MESSAGE)
        return header_start_error(p);
    if (p->state == ST_SEPARATOR)
        return separator_error(p);
    if (p->state != ST_BODY && (rc = finish_header(p)) < 0)
        return rc;
    if ((rc = close_section(p, p->len)) < 0)
        return rc;
    return check_up(p);
}

/* --- the API ------------------------------------------------------------- */

int mb_revfile_parse(mb_revision *out, mb_arena *arena, const char *path,
                     const char *shown, const char *data, size_t len,
                     mb_error *err)
{
    return mb_revfile_parse_flags(out, arena, path, shown, data, len, 0,
                                  err);
}

int mb_revfile_parse_flags(mb_revision *out, mb_arena *arena,
                           const char *path, const char *shown,
                           const char *data, size_t len, unsigned flags,
                           mb_error *err)
{
    mb_buf canon = MB_BUF_INIT;
    mb_revision rev;
    parser p;
    mb_section *sections = NULL;
    char *text, *sum, *path_copy;
    int rc;

    memset(&p, 0, sizeof p);
    memset(&rev, 0, sizeof rev);
    p.arena = arena;
    p.flags = flags;
    p.shown = shown ? shown : path ? path : "";
    p.err = err;
    p.state = ST_MESSAGE;
    if (data == NULL)
        data = "";
    if ((rc = check_raw(&p, (const unsigned char *)data, len)) < 0 ||
        (rc = mb_canonicalize(&canon, data, len, err)) < 0)
        goto done;
    text = mb_arena_strndup(arena, canon.ptr ? canon.ptr : "", canon.len);
    sum = mb_arena_alloc(arena, MB_CHECKSUM_HEX + 1);
    path_copy = mb_arena_strndup(arena, path ? path : "",
                                 path ? strlen(path) : 0);
    p.create_date = mb_arena_strndup(arena, "", 0);
    if (text == NULL || sum == NULL || path_copy == NULL ||
        p.create_date == NULL) {
        rc = nomem(err);
        goto done;
    }
    mb_checksum_hex(sum, text, canon.len);
    p.text = text;
    p.len = canon.len;
    if ((rc = parse_lines(&p)) < 0)
        goto done;
    sections = mb_arena_alloc(arena, p.n_sections * sizeof *sections);
    if (sections == NULL) {
        rc = nomem(err);
        goto done;
    }
    memcpy(sections, p.sections, p.n_sections * sizeof *sections);

    rev.id = p.id;
    rev.path = path_copy;
    rev.message = p.message;
    rev.create_date = p.create_date;
    rev.revises = p.lists[K_REVISES].items;
    rev.n_revises = p.lists[K_REVISES].n;
    rev.depends_on = p.lists[K_DEPENDS].items;
    rev.n_depends_on = p.lists[K_DEPENDS].n;
    rev.branch_labels = p.lists[K_LABELS].items;
    rev.n_branch_labels = p.lists[K_LABELS].n;
    rev.id_line = p.key_line[K_ID];
    rev.revises_line = p.key_line[K_REVISES];
    rev.depends_line = p.key_line[K_DEPENDS];
    rev.labels_line = p.key_line[K_LABELS];
    rev.sections = sections;
    rev.n_sections = p.n_sections;
    rev.checksum = sum;
    rev.data = (const unsigned char *)text;
    rev.z_len = 0;
    rev.raw_len = canon.len;
    *out = rev;
done:
    mb_buf_free(&canon);
    return rc;
}

/*
 * splitcmp.c -- mb_sql_split() against libpg_query (see splitcmp.h).
 *
 * The reference is pg_query_split_with_scanner(): statement boundaries
 * from PostgreSQL's lexer (scan.l), a ';' outside parentheses ending a
 * statement. Where pg_query_split_with_parser() accepts the whole text,
 * PostgreSQL's grammar has the last word and the statements must be the
 * same. The tokens of pg_query_scan() (its protobuf output, decoded here)
 * say where a statement starts after space and comments, and which tokens
 * are keywords.
 *
 * Compared: every statement of ours starts where one of libpg_query's
 * does, after the space and comments before it, and ends at the same ';'
 * (or both at the end of the text), and libpg_query has no statement that
 * is not one of ours. When libpg_query finds an unterminated quote,
 * dollar quote, quoted identifier or comment, ours must report the same
 * kind of construct on the same line (or, for a string continued on a
 * later line, 'a' NEWLINE 'b..., on the line of the quote left open,
 * where PostgreSQL names the line the string starts on).
 *
 * Where they differ by design, and what is done:
 *   - libpg_query's scanner splitter drops a statement without a keyword
 *     ("foo;", "1;"), which ours keeps: such a statement of ours must hold
 *     no keyword token, and then needs no counterpart.
 *   - a ')' without its '(' (a syntax error): libpg_query's count of open
 *     parentheses is unsigned and wraps, so that it never splits again;
 *     ours ignores the stray ')'. Only the statements before the one that
 *     holds it are compared (then SKIP).
 *   - a '(' never closed, a BEGIN ATOMIC body without END: errors of
 *     ours that libpg_query's splitter does not check (SKIP).
 *   - BEGIN ATOMIC ... END (SQL-standard function bodies): the scanner
 *     splitter ends the statement at the body's first ';', psql and ours
 *     at its END. A statement of ours that covers several of libpg_query's
 *     must be, as psql tells, a routine with such a body: its first word
 *     CREATE, with BEGIN ATOMIC in it; whether the body ends
 *     there only the grammar knows, so when the parser accepts the text,
 *     its statements must be exactly ours, and otherwise SKIP.
 *   - the other errors of PostgreSQL's lexer ("zero-length delimited
 *     identifier", "trailing junk after numeric literal", invalid Unicode
 *     escapes...): ours finds boundaries and does not validate tokens;
 *     the server refuses such a statement (SKIP).
 *   - PostgreSQL continues a string across white space that holds a
 *     newline and -- comments ('a' -- c NEWLINE 'b' is 'ab'); libpg_query's
 *     lexer ends it at the comment. When they differ and the text holds
 *     such comments, it is compared again with libpg_query getting every
 *     -- comment as spaces, which PostgreSQL reads the same way.
 *   - \v is white space for PostgreSQL 16 and later, which ours follows,
 *     and a character of its own for PostgreSQL 15, which libpg_query
 *     is: libpg_query gets the text with every \v made a space, which
 *     moves no boundary.
 * psql's own syntax (backslash commands, :variables) is not compared:
 * migrations go to the server, not through psql.
 */
#include <pg_query.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/sqlsplit.h"
#include "splitcmp.h"

/* pg_query.proto, enum Token */
#define TOK_OPEN 40
#define TOK_CLOSE 41
#define TOK_IDENT 258
#define TOK_SQL_COMMENT 275
#define TOK_C_COMMENT 276

#define NO_SEMI ((size_t)-1)

typedef struct token {
    size_t start, end; /* sql[start..end) */
    int kind;          /* enum Token */
    int keyword;       /* enum KeywordKind; 0: not a keyword */
} token;

typedef struct cmp {
    const char *sql;
    size_t len;
    const mb_stmts *ours;
    token *tok;        /* the tokens, comments left out unless comments */
    size_t n_tok, cap_tok;
    int comments;
    int atomic;        /* a statement of ours covers several (BEGIN ATOMIC) */
    char *why;
    size_t why_size;
} cmp;

static int verdict(cmp *c, int result, const char *fmt, ...)
    MB_PRINTF(3, 4);

static int verdict(cmp *c, int result, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->why, c->why_size, fmt, ap);
    va_end(ap);
    return result;
}

static unsigned line_of(const cmp *c, size_t pos)
{
    unsigned line = 1;
    size_t i;

    for (i = 0; i < pos && i < c->len; i++)
        line += c->sql[i] == '\n';
    return line;
}

/*
 * The byte offset in a text of len bytes of a PostgreSQL lexer error: its
 * message quotes the rest of the text from there ("... at or near
 * \"REST\"") or says "at end of input". (Its cursor position counts
 * UTF-8 characters by their first byte alone, which cannot be mapped back
 * to a byte when the text is not UTF-8.)
 */
static size_t error_offset(size_t len, const PgQueryError *e)
{
    static const char near[] = " at or near \"";
    const char *rest = strstr(e->message, near);
    size_t n;

    if (rest == NULL)
        return len;
    n = strlen(rest + sizeof near - 1);
    n = n > 0 ? n - 1 : 0; /* the closing quote */
    return n <= len ? len - n : 0;
}

/* --- pg_query_scan()'s protobuf ------------------------------------- */

static int varint(const unsigned char **p, const unsigned char *end,
                  unsigned long long *out)
{
    unsigned long long v = 0;
    int shift;

    for (shift = 0; *p < end && shift < 64; shift += 7) {
        unsigned char b = *(*p)++;

        v |= (unsigned long long)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 1;
        }
    }
    return 0;
}

/* Skip a field of wire type wt; 0 when the message is malformed. */
static int skip_field(const unsigned char **p, const unsigned char *end,
                      unsigned wt)
{
    unsigned long long n = 0;

    if (wt == 0)
        return varint(p, end, &n);
    if (wt == 1 || wt == 5)
        n = wt == 1 ? 8 : 4;
    else if (wt != 2 || !varint(p, end, &n))
        return 0;
    if (n > (unsigned long long)(end - *p))
        return 0;
    *p += n;
    return 1;
}

/* ScanToken: start = 1, end = 2, token = 4, keyword_kind = 5. */
static int decode_token(const unsigned char *p, const unsigned char *end,
                        token *t)
{
    unsigned long long key, v;

    memset(t, 0, sizeof *t);
    while (p < end) {
        if (!varint(&p, end, &key))
            return 0;
        if ((key & 7) != 0) {
            if (!skip_field(&p, end, (unsigned)(key & 7)))
                return 0;
            continue;
        }
        if (!varint(&p, end, &v))
            return 0;
        if (key >> 3 == 1)
            t->start = (size_t)v;
        else if (key >> 3 == 2)
            t->end = (size_t)v;
        else if (key >> 3 == 4)
            t->kind = (int)v;
        else if (key >> 3 == 5)
            t->keyword = (int)v;
    }
    return t->start <= t->end;
}

static int add_token(cmp *c, const token *t)
{
    if (c->n_tok == c->cap_tok) {
        size_t cap = c->cap_tok ? 2 * c->cap_tok : 64;
        token *v = realloc(c->tok, cap * sizeof *v);

        if (v == NULL)
            return 0;
        c->tok = v;
        c->cap_tok = cap;
    }
    c->tok[c->n_tok++] = *t;
    return 1;
}

/* Add the tokens of pg (ScanResult: tokens = 2) to c. */
static int scan(cmp *c, const char *pg)
{
    PgQueryScanResult r = pg_query_scan(pg);
    const unsigned char *p = (const unsigned char *)r.pbuf.data;
    const unsigned char *end = p ? p + r.pbuf.len : p;
    unsigned long long key, n;
    token t;
    int ok = r.error == NULL;

    while (ok && p < end) {
        ok = varint(&p, end, &key);
        if (ok && key != ((2u << 3) | 2u)) {
            ok = skip_field(&p, end, (unsigned)(key & 7));
            continue;
        }
        ok = ok && varint(&p, end, &n) &&
             n <= (unsigned long long)(end - p) &&
             decode_token(p, p + n, &t) && t.end <= c->len;
        if (ok)
            p += n;
        if (ok && (c->comments || (t.kind != TOK_SQL_COMMENT &&
                                   t.kind != TOK_C_COMMENT)))
            ok = add_token(c, &t);
    }
    pg_query_free_scan_result(r);
    return ok;
}

/* --- comparing --------------------------------------------------------- */

/* The first token at or after pos, or n_tok. */
static size_t token_at(const cmp *c, size_t pos)
{
    size_t lo = 0, hi = c->n_tok;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (c->tok[mid].start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int token_is(const cmp *c, size_t i, const char *word)
{
    const token *t = &c->tok[i];
    size_t k, n = strlen(word);

    if (t->keyword == 0 || t->end - t->start != n)
        return 0;
    for (k = 0; k < n; k++) {
        char ch = c->sql[t->start + k];

        if ((ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch) != word[k])
            return 0;
    }
    return 1;
}

/* Does sql[a..b) hold a keyword token? */
static int has_keyword(const cmp *c, size_t a, size_t b)
{
    size_t i;

    for (i = token_at(c, a); i < c->n_tok && c->tok[i].start < b; i++) {
        if (c->tok[i].keyword != 0)
            return 1;
    }
    return 0;
}

/*
 * A word for psql: an unquoted identifier or a keyword, but not the N of
 * N'' that PostgreSQL's lexer turns into the keyword NCHAR.
 */
static int is_word(const cmp *c, size_t i)
{
    const token *t = &c->tok[i];

    if ((t->kind != TOK_IDENT && t->keyword == 0) || c->sql[t->start] == '"')
        return 0;
    return !(t->end == t->start + 1 && t->end < c->len &&
             c->sql[t->end] == '\'');
}

/*
 * Is sql[a..b) a routine with a BEGIN ATOMIC body, as psql tells: its
 * first word (psql skips other tokens) is CREATE, and it holds BEGIN
 * ATOMIC?
 */
static int is_atomic_routine(const cmp *c, size_t a, size_t b)
{
    size_t i = token_at(c, a);

    while (i < c->n_tok && c->tok[i].start < b && !is_word(c, i))
        i++;
    if (i >= c->n_tok || c->tok[i].start >= b || !token_is(c, i, "create"))
        return 0;
    for (; i + 1 < c->n_tok && c->tok[i + 1].start < b; i++) {
        if (token_is(c, i, "begin") && token_is(c, i + 1, "atomic"))
            return 1;
    }
    return 0;
}

/* Start (after space and comments) and end of a libpg_query statement. */
static void pg_bounds(const cmp *c, const PgQuerySplitStmt *s,
                      size_t *start, size_t *end)
{
    size_t i = token_at(c, (size_t)s->stmt_location);

    *start = i < c->n_tok ? c->tok[i].start : c->len;
    *end = (size_t)s->stmt_location + (size_t)s->stmt_len;
}

/* Where our statement ends: its ';', or the end of the text. */
static size_t our_end(const cmp *c, const mb_stmt *m)
{
    return c->sql[m->offset + m->len - 1] == ';' ? m->offset + m->len - 1
                                                  : c->len;
}

/* Both refuse the text: the same kind of construct, on the same line. */
static int compare_errors(cmp *c, const PgQueryError *e, int rc,
                          const mb_error *err)
{
    static const char *const kinds[][3] = {
        /* libpg_query's message, ours, the kind */
        {"unterminated quoted string", "unterminated quoted string", "q"},
        {"unterminated bit string", "unterminated quoted string", "q"},
        {"unterminated hexadecimal", "unterminated quoted string", "q"},
        {"unterminated quoted identifier",
         "unterminated quoted identifier", "i"},
        {"unterminated dollar-quoted", "unterminated dollar-quoted", "d"},
        {"unterminated /* comment", "unterminated block comment", "c"},
    };
    const char *pk = NULL, *ok = NULL;
    size_t i, pos;

    if (strncmp(e->message, "unterminated ", 13) != 0)
        return verdict(c, SPLITCMP_SKIP, "libpg_query refuses it: %s",
                       e->message);
    if (rc != MB_EPARSE)
        return verdict(c, SPLITCMP_DIFFER, "libpg_query: %s; ours splits "
                       "it", e->message);
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strncmp(e->message, kinds[i][0], strlen(kinds[i][0])) == 0)
            pk = kinds[i][2];
        if (strncmp(err->msg, kinds[i][1], strlen(kinds[i][1])) == 0)
            ok = kinds[i][2];
    }
    if (pk == NULL || ok == NULL || strcmp(pk, ok) != 0)
        return verdict(c, SPLITCMP_DIFFER, "libpg_query: %s; ours: %s",
                       e->message, err->msg);
    pos = error_offset(c->len, e);
    /* a string continued on a later line ('a' NEWLINE 'b...): PostgreSQL
     * names where the string starts, ours the quote left open */
    if (!((int)line_of(c, pos) == err->line ||
          (*pk == 'q' && (int)line_of(c, pos) < err->line)))
        return verdict(c, SPLITCMP_DIFFER, "libpg_query: %s on line %u; "
                       "ours on line %d", e->message, line_of(c, pos),
                       err->line);
    return SPLITCMP_AGREE;
}

/* A ')' without '(', by libpg_query's count? */
static int stray_paren(const cmp *c, size_t *at)
{
    size_t depth = 0, i;

    for (i = 0; i < c->n_tok; i++) {
        if (c->tok[i].kind == TOK_OPEN) {
            depth++;
        } else if (c->tok[i].kind == TOK_CLOSE && depth-- == 0) {
            *at = c->tok[i].start;
            return 1;
        }
    }
    return 0;
}

/* Our statement m against the libpg_query statements starting in it. */
static int compare_one(cmp *c, const mb_stmt *m, const PgQuerySplitResult *r,
                       size_t first, size_t count)
{
    size_t start, end, last_start, last_end, stop = our_end(c, m);

    if (count == 0) {
        if (!has_keyword(c, m->offset, m->offset + m->len))
            return SPLITCMP_AGREE; /* dropped by the scanner splitter */
        return verdict(c, SPLITCMP_DIFFER, "ours has a statement on line "
                       "%u that libpg_query does not", m->line);
    }
    pg_bounds(c, r->stmts[first], &start, &end);
    pg_bounds(c, r->stmts[first + count - 1], &last_start, &last_end);
    if (start != m->offset || last_end != stop)
        return verdict(c, SPLITCMP_DIFFER, "the statement on line %u is "
                       "bytes %zu..%zu for ours, %zu..%zu for libpg_query",
                       m->line, m->offset, stop, start, last_end);
    if (count > 1 && !is_atomic_routine(c, m->offset, m->offset + m->len))
        return verdict(c, SPLITCMP_DIFFER, "ours makes one statement of "
                       "%zu on line %u", count, m->line);
    if (count > 1)
        c->atomic = 1;
    return SPLITCMP_AGREE;
}

/*
 * After a stray ')' libpg_query never splits again: compare the
 * statements of ours before the one that holds it, then SKIP.
 */
static int compare_statements(cmp *c, const PgQuerySplitResult *r)
{
    size_t i, k = 0, at, start, end, limit = c->len + 1;
    int rc = SPLITCMP_AGREE, stray = stray_paren(c, &at);

    for (i = 0; i < c->ours->n && rc == SPLITCMP_AGREE; i++) {
        const mb_stmt *m = &c->ours->v[i];
        size_t first = k;

        if (stray && at < m->offset + m->len) {
            limit = m->offset;
            break;
        }
        for (; k < (size_t)r->n_stmts; k++) {
            pg_bounds(c, r->stmts[k], &start, &end);
            if (start >= m->offset + m->len)
                break;
            if (start < m->offset)
                return verdict(c, SPLITCMP_DIFFER, "libpg_query has a "
                               "statement on line %u that is not one of "
                               "ours", line_of(c, start));
        }
        rc = compare_one(c, m, r, first, k - first);
    }
    if (rc == SPLITCMP_AGREE && stray)
        return verdict(c, SPLITCMP_SKIP, "a ')' without '(' on line %u",
                       line_of(c, at));
    if (rc == SPLITCMP_AGREE && k < (size_t)r->n_stmts) {
        pg_bounds(c, r->stmts[k], &start, &end);
        if (start < limit)
            return verdict(c, SPLITCMP_DIFFER, "libpg_query has a statement "
                           "on line %u after the last of ours",
                           line_of(c, start));
    }
    return rc;
}

/* The parser accepted the text: exactly its statements. */
static int compare_parser(cmp *c, const PgQuerySplitResult *r)
{
    size_t i, start, end;

    if ((size_t)r->n_stmts != c->ours->n)
        return verdict(c, SPLITCMP_DIFFER, "the parser finds %d statements, "
                       "ours %zu", r->n_stmts, c->ours->n);
    for (i = 0; i < c->ours->n; i++) {
        const mb_stmt *m = &c->ours->v[i];

        pg_bounds(c, r->stmts[i], &start, &end);
        if (start != m->offset || end != our_end(c, m))
            return verdict(c, SPLITCMP_DIFFER, "statement %zu is bytes "
                           "%zu..%zu for ours, %zu..%zu for the parser",
                           i + 1, m->offset, our_end(c, m), start, end);
    }
    return SPLITCMP_AGREE;
}

/*
 * Where libpg_query's lexer reports the first -- comment of pg: from its
 * tokens, or, when it refuses the text, from those before the error.
 */
static int first_comment(const char *pg, size_t len, size_t *start,
                         size_t *end)
{
    PgQueryScanResult r = pg_query_scan(pg);
    char *prefix = NULL;
    cmp c;
    size_t i, cut;
    int found = 0;

    memset(&c, 0, sizeof c);
    c.sql = pg;
    c.len = len;
    if (r.error != NULL) {
        cut = error_offset(len, r.error);
        prefix = malloc(cut + 1);
        if (prefix != NULL) {
            memcpy(prefix, pg, cut);
            prefix[cut] = '\0';
        }
    }
    pg_query_free_scan_result(r);
    c.comments = 1;
    if (scan(&c, prefix != NULL ? prefix : pg)) {
        for (i = 0; i < c.n_tok && !found; i++) {
            if (c.tok[i].kind == TOK_SQL_COMMENT) {
                *start = c.tok[i].start;
                *end = c.tok[i].end;
                found = 1;
            }
        }
    }
    free(c.tok);
    free(prefix);
    return found;
}

/*
 * PostgreSQL continues a string across white space that holds a newline
 * and -- comments ('a' -- c NEWLINE 'b' is 'ab', on a PostgreSQL 15.18
 * server as in scan.l's {quotecontinue}); libpg_query's lexer, which
 * reports comments as tokens, ends the string at the comment. For
 * PostgreSQL a -- comment is white space, so pg gets each of its comments
 * made spaces, first to last (the first comment libpg_query sees is one
 * for PostgreSQL too: they read the text alike up to it). 1 when any was.
 */
static int blank_comments(char *pg, size_t len)
{
    size_t start, end, rounds;

    for (rounds = 0; rounds < 256 && first_comment(pg, len, &start, &end);
         rounds++)
        memset(pg + start, ' ', end - start);
    return rounds > 0;
}

/* Compare ours with libpg_query's splitting of pg. */
static int compare(cmp *c, const char *pg, int rc, const mb_error *err)
{
    PgQuerySplitResult sr, pr = {0};
    int result;

    c->n_tok = 0;
    c->atomic = 0;
    sr = pg_query_split_with_scanner(pg);
    if (sr.error != NULL)
        result = compare_errors(c, sr.error, rc, err);
    else if (rc != MB_OK && (strcmp(err->msg, "unclosed parenthesis") == 0 ||
                             strcmp(err->msg, "unterminated BEGIN ATOMIC "
                                    "body") == 0))
        result = verdict(c, SPLITCMP_SKIP, "ours: %s", err->msg);
    else if (rc != MB_OK)
        result = verdict(c, SPLITCMP_DIFFER, "ours: %s on line %d; "
                         "libpg_query splits it", err->msg, err->line);
    else if (!scan(c, pg))
        result = verdict(c, SPLITCMP_DIFFER, "libpg_query splits what its "
                         "scanner refuses");
    else
        result = compare_statements(c, &sr);
    if (result != SPLITCMP_DIFFER && rc == MB_OK && sr.error == NULL) {
        pr = pg_query_split_with_parser(pg);
        if (pr.error == NULL)
            result = compare_parser(c, &pr);
        else if (c->atomic)
            result = verdict(c, SPLITCMP_SKIP, "a BEGIN ATOMIC body the "
                             "parser refuses: %s", pr.error->message);
    }
    pg_query_free_split_result(sr);
    pg_query_free_split_result(pr);
    return result;
}

int splitcmp(const char *sql, size_t len, char *why, size_t why_size)
{
    mb_stmts ours = MB_STMTS_INIT;
    mb_error err = MB_ERROR_INIT;
    cmp c;
    char *pg = malloc(len + 1);
    size_t i;
    int rc, result;

    memset(&c, 0, sizeof c);
    c.sql = sql;
    c.len = len;
    c.ours = &ours;
    c.why = why;
    c.why_size = why_size;
    why[0] = '\0';
    if (pg == NULL)
        return verdict(&c, SPLITCMP_SKIP, "out of memory");
    for (i = 0; i < len; i++) /* PostgreSQL 16's white space */
        pg[i] = sql[i] == '\v' ? ' ' : sql[i];
    pg[len] = '\0';
    rc = mb_sql_split(&ours, sql, len, "x.sql", 1, &err);
    result = compare(&c, pg, rc, &err);
    if (result == SPLITCMP_DIFFER && blank_comments(pg, len)) {
        result = compare(&c, pg, rc, &err);
        if (result == SPLITCMP_AGREE)
            verdict(&c, result, "agree once libpg_query gets -- comments "
                    "as spaces (it ends a string at one)");
    }
    mb_stmts_free(&ours);
    free(c.tok);
    free(pg);
    return result;
}

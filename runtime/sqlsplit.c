/*
 * sqlsplit.c -- split SQL text into statements as PostgreSQL lexes it.
 *
 * One forward pass over text[0..len), which need not be NUL-terminated,
 * skipping everything that can hide a semicolon, with the rules of
 * PostgreSQL's lexer (src/backend/parser/scan.l, and psql's copy in
 * src/fe_utils/psqlscan.l) under standard_conforming_strings = on:
 *
 *   'plain' strings, '' doubling, backslash an ordinary character; the
 *     N'' and U&'' forms lex the same way, and B'' and X'' too except that
 *     their first quote ends them (a quote right after starts another
 *     string, which makes no difference but to where an unclosed one is)
 *     and that, like E'' strings, they are continued across a newline by
 *     another quote (B'0'<newline>'1''; is B'01' and an unclosed string)
 *   E'escape' strings, where a backslash escapes the next byte, continued
 *     across a newline by another quote ('a'<newline>'b' is one literal,
 *     so the second part keeps the backslash escapes)
 *   $tag$ dollar quotes $tag$, taken only where a token starts ("$1" is a
 *     parameter, and "a$b$" is one identifier)
 *   numbers (digits, one '.' unless another follows, digits; or '.' and
 *     digits) with the letters, digits and '_' that stick to them, so that
 *     the exponent of 1e5$$ or the x of 0x1F$$ starts no identifier that
 *     would take the '$' (PostgreSQL lexes 1e5, 0x1F (16 and later) or
 *     rejects the junk), while 1..e'x' is 1, '..' and an E'' string
 *   "quoted identifiers" and U&"..." with "" doubling
 *   -- comments to the end of the line, and nesting block comments
 *
 * A ';' ends a statement unless it is inside parentheses (CREATE RULE
 * ... DO (a; b)) or inside the BEGIN ATOMIC ... END body of an SQL-standard
 * function. The body is found as psql finds it: only in a statement that
 * starts CREATE [OR REPLACE] FUNCTION|PROCEDURE, outside parentheses, and
 * counting each CASE inside as one more level closed by END. Unlike psql we
 * count BEGIN only when ATOMIC follows it, so an object or column named
 * "begin" cannot swallow the statements after it.
 *
 * Errors name the line where the unterminated quote, comment, '(' or
 * BEGIN ATOMIC statement starts. The state is a few counters; nothing
 * recurses, and what is read ahead (the whitespace after an E'' string, a
 * "$tag" that is no delimiter) is read at most twice, so time is linear.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/sqlsplit.h"

/* Longest dollar-quote delimiter quoted back in a message, in bytes. */
#define TAG_SHOWN 200

typedef struct scanner {
    const unsigned char *t; /* the text, t[0..len) */
    size_t len;
    const char *file;       /* for errors */
    unsigned first_line;    /* line of t[0] */
    size_t line_pos;        /* newlines are counted up to here... */
    unsigned line;          /* ...and this is the line of t[line_pos] */
    mb_error *err;
} scanner;

typedef enum token {
    TOK_OTHER,  /* anything else: operator, number, string, ... */
    TOK_WORD,   /* an unquoted identifier or keyword */
    TOK_OPEN,   /* ( */
    TOK_CLOSE,  /* ) */
    TOK_SEMI    /* ; */
} token;

/* The statements found so far. */
typedef struct stmt_vec {
    mb_stmt *v;
    size_t n;
    size_t cap;
} stmt_vec;

/* Line of t[pos]; cheap when called with positions that only grow. */
static unsigned line_at(scanner *sc, size_t pos)
{
    const unsigned char *p;

    if (pos < sc->line_pos) {
        sc->line_pos = 0;
        sc->line = sc->first_line;
    }
    while (sc->line_pos < pos) {
        p = memchr(sc->t + sc->line_pos, '\n', pos - sc->line_pos);
        if (p == NULL) {
            sc->line_pos = pos;
            break;
        }
        sc->line++;
        sc->line_pos = (size_t)(p - sc->t) + 1;
    }
    return sc->line;
}

/* PostgreSQL's {space}: scanner_isspace() plus \v (PostgreSQL 16+). */
static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* {ident_start}, also the first byte of a dollar-quote tag. */
static int is_ident_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c >= 0x80;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* {dolq_cont}: a tag continues like an identifier, but without '$'. */
static int is_tag_cont(unsigned char c)
{
    return is_ident_start(c) || is_digit(c);
}

/* {ident_cont} */
static int is_ident_cont(unsigned char c)
{
    return is_tag_cont(c) || c == '$';
}

/* Does the n-byte word w equal kw (lower case), ignoring ASCII case? */
static int word_is(const unsigned char *w, size_t n, const char *kw)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = w[i];

        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (kw[i] == '\0' || c != (unsigned char)kw[i])
            return 0;
    }
    return kw[n] == '\0';
}

/* Position of the newline ending the -- comment at t[i], or len. */
static size_t skip_line_comment(const scanner *sc, size_t i)
{
    while (i < sc->len && sc->t[i] != '\n' && sc->t[i] != '\r')
        i++;
    return i;
}

/*
 * {quotecontinue}: is the string that closed just before t[i] continued by
 * another quote after whitespace holding at least one newline (-- comments
 * count as whitespace, block comments do not)? Sets *quote to that quote.
 */
static int continues(const scanner *sc, size_t i, size_t *quote)
{
    int newline = 0;

    while (i < sc->len) {
        unsigned char c = sc->t[i];

        if (c == '\n' || c == '\r') {
            newline = 1;
            i++;
        } else if (is_space(c)) {
            i++;
        } else if (c == '-' && i + 1 < sc->len && sc->t[i + 1] == '-') {
            i = skip_line_comment(sc, i);
        } else {
            break;
        }
    }
    if (!newline || i >= sc->len || sc->t[i] != '\'')
        return 0;
    *quote = i;
    return 1;
}

/* The error for a quote opened at t[start] and never closed. */
static int unterminated_quote(scanner *sc, size_t start, unsigned char q,
                              int escapes)
{
    int line = (int)line_at(sc, start);
    int rc;

    if (q == '"') {
        rc = mb_error_at(sc->err, MB_EPARSE, sc->file, line,
                         "unterminated quoted identifier");
        mb_error_hint(sc->err, "close it with a double quote \"");
    } else {
        rc = mb_error_at(sc->err, MB_EPARSE, sc->file, line,
                         "unterminated quoted string");
        mb_error_hint(sc->err, "close it with a single quote '%s",
                      escapes ? " (in E'...' strings a backslash escapes "
                                "the next character)" : "");
    }
    return rc;
}

/* How the body of a quoted string or identifier reads (scan.l states). */
typedef enum quote_style {
    Q_DOUBLED, /* '' (or "") stands for one quote: xq, xus, xd, xui */
    Q_ESCAPED, /* that, and a backslash escapes the next byte; may be
                * continued by another quote after a newline: xe */
    Q_BITS     /* the first quote ends it, and it may be continued by
                * another quote after a newline: xb, xh (B'', X'') */
} quote_style;

/*
 * Skip a quoted string (q = '\'') or identifier (q = '"') whose prefix
 * starts at t[start] and whose opening quote is t[open]; *end is set past
 * the closing quote.
 */
static int skip_quoted(scanner *sc, size_t start, size_t open,
                       unsigned char q, quote_style style, size_t *end)
{
    size_t i = open + 1;

    for (;;) {
        while (i < sc->len) {
            unsigned char c = sc->t[i];

            if (c == '\\' && style == Q_ESCAPED) {
                i += 2;
            } else if (c != q) {
                i++;
            } else if (style != Q_BITS && i + 1 < sc->len &&
                       sc->t[i + 1] == q) {
                i += 2;
            } else {
                break;
            }
        }
        if (i >= sc->len)
            return unterminated_quote(sc, start, q, style == Q_ESCAPED);
        i++;
        if (style == Q_DOUBLED || !continues(sc, i, &open))
            break;
        i = open + 1;
    }
    *end = i;
    return MB_OK;
}

/*
 * Skip the dollar-quoted string opened by the dlen-byte delimiter at
 * t[start] ("$$" or "$tag$"). Every '$' of the body is a possible closing
 * delimiter; comparing stops at the first difference, which for a tag
 * without '$' comes at the latest at the next '$', so this stays linear.
 */
static int skip_dollar(scanner *sc, size_t start, size_t dlen, size_t *end)
{
    const unsigned char *d = sc->t + start;
    size_t i = start + dlen, k;
    const unsigned char *p;
    int shown, rc;

    while (i < sc->len) {
        p = memchr(sc->t + i, '$', sc->len - i);
        if (p == NULL)
            break;
        i = (size_t)(p - sc->t);
        for (k = 1; k < dlen && i + k < sc->len; k++) {
            if (sc->t[i + k] != d[k])
                break;
        }
        if (k == dlen) {
            *end = i + dlen;
            return MB_OK;
        }
        i++;
    }
    shown = (int)(dlen > TAG_SHOWN ? TAG_SHOWN : dlen);
    rc = mb_error_at(sc->err, MB_EPARSE, sc->file, (int)line_at(sc, start),
                     "unterminated dollar-quoted string %.*s%s", shown,
                     (const char *)d, dlen > TAG_SHOWN ? "..." : "");
    mb_error_hint(sc->err, "close it with %.*s%s", shown, (const char *)d,
                  dlen > TAG_SHOWN ? "..." : "");
    return rc;
}

/* Skip the block comment at t[start] ("/" "*"), nested ones included. */
static int skip_block_comment(scanner *sc, size_t start, size_t *end)
{
    size_t i = start + 2, depth = 1, nested = 0;
    unsigned line;
    int rc;

    while (i + 1 < sc->len) {
        if (sc->t[i] == '/' && sc->t[i + 1] == '*') {
            depth++;
            nested = i;
            i += 2;
        } else if (sc->t[i] == '*' && sc->t[i + 1] == '/') {
            i += 2;
            if (--depth == 0) {
                *end = i;
                return MB_OK;
            }
        } else {
            i++;
        }
    }
    line = line_at(sc, start);
    rc = mb_error_at(sc->err, MB_EPARSE, sc->file, (int)line,
                     "unterminated block comment");
    if (nested != 0)
        mb_error_detail(sc->err, "it holds a nested /* on line %u",
                        line_at(sc, nested));
    mb_error_hint(sc->err, "close it with */ (block comments nest)");
    return rc;
}

/*
 * Scan the token at t[i], which is neither whitespace nor a comment: set
 * *end past it and *kind to what it is.
 */
static int scan_token(scanner *sc, size_t i, size_t *end, token *kind)
{
    const unsigned char *t = sc->t;
    unsigned char c = t[i];
    unsigned char next = i + 1 < sc->len ? t[i + 1] : 0;
    size_t n;

    *kind = TOK_OTHER;
    *end = i + 1;
    if (c == '\'')
        return skip_quoted(sc, i, i, '\'', Q_DOUBLED, end);
    if (c == '"')
        return skip_quoted(sc, i, i, '"', Q_DOUBLED, end);
    if (c == '(' || c == ')' || c == ';') {
        *kind = c == '(' ? TOK_OPEN : c == ')' ? TOK_CLOSE : TOK_SEMI;
        return MB_OK;
    }
    if (c == '$') {
        n = i + 1;
        if (is_digit(next)) {               /* {param}: $1 */
            while (n < sc->len && is_digit(t[n]))
                n++;
            *end = n;
            return MB_OK;
        }
        if (is_ident_start(next)) {
            while (++n < sc->len && is_tag_cont(t[n]))
                ;
        }
        if (n < sc->len && t[n] == '$')     /* {dolqdelim} */
            return skip_dollar(sc, i, n + 1 - i, end);
        return MB_OK;                       /* a lone '$' */
    }
    if (is_digit(c) || (c == '.' && is_digit(next))) { /* 1.5, .5, 1e5 */
        n = i + 1;
        while (n < sc->len && is_digit(t[n]))
            n++;
        if (c != '.' && n < sc->len && t[n] == '.' &&
            (n + 1 == sc->len || t[n + 1] != '.')) { /* 1..2: 1 .. 2 */
            n++;
            while (n < sc->len && is_digit(t[n]))
                n++;
        }
        while (n < sc->len && is_tag_cont(t[n]))
            n++;
        *end = n;
        return MB_OK;
    }
    if (!is_ident_start(c))
        return MB_OK;
    if ((c == 'e' || c == 'E') && next == '\'')
        return skip_quoted(sc, i, i + 1, '\'', Q_ESCAPED, end);
    if ((c == 'u' || c == 'U') && next == '&' && i + 2 < sc->len &&
        (t[i + 2] == '\'' || t[i + 2] == '"'))
        return skip_quoted(sc, i, i + 2, t[i + 2], Q_DOUBLED, end);
    if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && next == '\'')
        return skip_quoted(sc, i, i + 1, '\'', Q_BITS, end);
    if ((c == 'n' || c == 'N') && next == '\'')
        return skip_quoted(sc, i, i + 1, '\'', Q_DOUBLED, end);
    n = i + 1;
    while (n < sc->len && is_ident_cont(t[n]))
        n++;
    *end = n;
    *kind = TOK_WORD;
    return MB_OK;
}

static int push(stmt_vec *sv, size_t offset, size_t len, unsigned line,
                mb_error *err)
{
    mb_stmt *v;
    size_t cap;

    if (sv->n == sv->cap) {
        if (sv->cap > SIZE_MAX / 2 / sizeof *v)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        cap = sv->cap ? sv->cap * 2 : 16;
        v = mb_realloc(sv->v, cap * sizeof *v);
        if (v == NULL)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        sv->v = v;
        sv->cap = cap;
    }
    sv->v[sv->n].offset = offset;
    sv->v[sv->n].len = len;
    sv->v[sv->n].line = line;
    sv->n++;
    return MB_OK;
}

/*
 * psql's test: does the statement start CREATE [OR REPLACE] FUNCTION or
 * PROCEDURE? kw holds the initials of its first four identifiers, 0 for
 * an identifier other than these five words.
 */
static int is_routine(const char kw[4])
{
    return kw[0] == 'c' &&
           (kw[1] == 'f' || kw[1] == 'p' ||
            (kw[1] == 'o' && kw[2] == 'r' && (kw[3] == 'f' || kw[3] == 'p')));
}

/* Initial of an identifier that can start CREATE OR REPLACE FUNCTION. */
static char routine_initial(const unsigned char *w, size_t n)
{
    if (word_is(w, n, "create") || word_is(w, n, "function") ||
        word_is(w, n, "procedure") || word_is(w, n, "or") ||
        word_is(w, n, "replace"))
        return (char)(w[0] | 0x20);
    return 0;
}

int mb_sql_split(mb_stmts *out, const char *text, size_t len,
                 const char *file, unsigned first_line, mb_error *err)
{
    scanner sc;
    stmt_vec sv = {NULL, 0, 0};
    size_t i = 0, end = 0;
    size_t start = 0, last_end = 0; /* current statement, its last token */
    size_t parens = 0, paren_at = 0;   /* depth, outermost open '(' */
    size_t begins = 0, begin_at = 0;   /* BEGIN ATOMIC/CASE depth, BEGIN */
    int closable = 0, opened;          /* an END here may close ATOMIC */
    size_t words = 0, pending = 0;     /* identifiers seen, last BEGIN */
    unsigned start_line = 0;
    int in_stmt = 0, after_begin = 0;
    char kw[4] = {0, 0, 0, 0};
    token kind;
    int rc = MB_OK;

    out->v = NULL;
    out->n = 0;
    sc.t = (const unsigned char *)text;
    sc.len = text != NULL ? len : 0;
    sc.file = file;
    sc.first_line = first_line;
    sc.line_pos = 0;
    sc.line = first_line;
    sc.err = err;

    while (i < sc.len) {
        unsigned char c = sc.t[i];

        if (is_space(c)) {
            i++;
            continue;
        }
        if (c == '-' && i + 1 < sc.len && sc.t[i + 1] == '-') {
            i = skip_line_comment(&sc, i);
            continue;
        }
        if (c == '/' && i + 1 < sc.len && sc.t[i + 1] == '*') {
            if ((rc = skip_block_comment(&sc, i, &i)) < 0)
                goto done;
            continue;
        }
        if (!in_stmt) {
            if (c == ';') {             /* empty statement */
                i++;
                continue;
            }
            in_stmt = 1;
            start = i;
            start_line = line_at(&sc, i);
            words = 0;
            memset(kw, 0, sizeof kw);
            after_begin = 0;
        }
        if ((rc = scan_token(&sc, i, &end, &kind)) < 0)
            goto done;

        opened = 0;
        if (after_begin) {
            after_begin = 0;
            if (kind == TOK_WORD && word_is(sc.t + i, end - i, "atomic") &&
                begins++ == 0) {
                begin_at = pending;
                opened = 1;
            }
        }
        switch (kind) {
        case TOK_OPEN:
            if (parens++ == 0)
                paren_at = i;
            break;
        case TOK_CLOSE:
            if (parens > 0)
                parens--;
            break;
        case TOK_SEMI:
            if (parens == 0 && begins == 0) {
                if ((rc = push(&sv, start, end - start, start_line, err)) < 0)
                    goto done;
                in_stmt = 0;
            }
            break;
        case TOK_WORD:
            if (words < sizeof kw)
                kw[words++] = routine_initial(sc.t + i, end - i);
            if (!is_routine(kw) || parens > 0)
                break;
            if (word_is(sc.t + i, end - i, "begin")) {
                after_begin = 1;
                pending = i;
            } else if (word_is(sc.t + i, end - i, "case")) {
                if (begins > 0)
                    begins++;
            } else if (word_is(sc.t + i, end - i, "end")) {
                /* ATOMIC's END follows a ";" (or ATOMIC itself); an END
                 * after an expression there is a column label */
                if (begins > 1 || (begins == 1 && closable))
                    begins--;
            }
            break;
        case TOK_OTHER:
            break;
        }
        closable = kind == TOK_SEMI || opened;
        last_end = end;
        i = end;
    }

    if (in_stmt && parens > 0) {
        rc = mb_error_at(err, MB_EPARSE, file, (int)line_at(&sc, paren_at),
                         "unclosed parenthesis");
        mb_error_hint(err, "close it with )");
        goto done;
    }
    if (in_stmt && begins > 0) {
        rc = mb_error_at(err, MB_EPARSE, file, (int)start_line,
                         "unterminated BEGIN ATOMIC body");
        mb_error_detail(err, "the body opens with BEGIN ATOMIC on line %u",
                        line_at(&sc, begin_at));
        mb_error_hint(err, "close it with END; every CASE inside needs "
                      "its own END");
        goto done;
    }
    if (in_stmt &&
        (rc = push(&sv, start, last_end - start, start_line, err)) < 0)
        goto done;

    out->v = sv.v;
    out->n = sv.n;
    sv.v = NULL;
done:
    free(sv.v);
    return rc;
}

void mb_stmts_free(mb_stmts *s)
{
    if (s == NULL)
        return;
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/*
 * pgjson.c -- read the JSON parse trees of libpg_query (see pgjson.h).
 *
 * One loop over the text, a state saying what may come next, and the
 * open container as the parent of what follows: RFC 8259's grammar
 * without recursion. Strings are decoded in place into the arena (an
 * escape never decodes to more bytes than it is written with, so the
 * raw length bounds the decoded one).
 */
#include <string.h>

#include "pgjson.h"

enum want {
    WANT_VALUE,          /* a value: the root, after ':' or after ',' */
    WANT_VALUE_OR_CLOSE, /* after '[' */
    WANT_KEY,            /* after ',' in an object */
    WANT_KEY_OR_CLOSE,   /* after '{' */
    WANT_COMMA_OR_CLOSE, /* after an element or member */
    WANT_END             /* after the root */
};

typedef struct reader {
    const char *text, *p, *end;
    mb_arena *arena;
    mb_error *err;
} reader;

static int bad(reader *r, const char *what)
{
    return mb_error_set(r->err, MB_EPARSE, "libpg_query's JSON: %s at byte "
                        "%zu", what, (size_t)(r->p - r->text));
}

static void skip_space(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
                             *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        char c = s[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* A \uXXXX escape at r->p (after the backslash and 'u'), with its low
 * surrogate when it is a high one. */
static int unicode_escape(reader *r, unsigned *cp)
{
    unsigned lo;

    if (r->end - r->p < 4 || !hex4(r->p, cp))
        return bad(r, "invalid \\u escape");
    r->p += 4;
    if (*cp >= 0xd800 && *cp <= 0xdbff) {
        if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
            !hex4(r->p + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
            return bad(r, "unpaired surrogate");
        r->p += 6;
        *cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (*cp >= 0xdc00 && *cp <= 0xdfff) {
        return bad(r, "unpaired surrogate");
    }
    return MB_OK;
}

/* The string whose opening quote is at r->p, decoded into the arena. */
static int read_string(reader *r, const char **out)
{
    const char *close = r->p + 1;
    char *s, *o;
    unsigned cp;
    int rc;

    while (close < r->end && *close != '"')
        close += *close == '\\' && close + 1 < r->end ? 2 : 1;
    if (close >= r->end)
        return bad(r, "unterminated string");
    s = mb_arena_alloc(r->arena, (size_t)(close - r->p));
    if (s == NULL)
        return mb_error_set(r->err, MB_ENOMEM, "out of memory");
    o = s;
    for (r->p++; r->p < close;) {
        char c = *r->p++;

        if ((unsigned char)c < 0x20)
            return bad(r, "control character in a string");
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        c = *r->p++;
        switch (c) {
        case '"': case '\\': case '/': *o++ = c; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
            if ((rc = unicode_escape(r, &cp)) < 0)
                return rc;
            o = put_utf8(o, cp);
            break;
        default:
            return bad(r, "invalid escape");
        }
    }
    *o = '\0';
    r->p = close + 1;
    *out = s;
    return MB_OK;
}

/* A number, true, false or null at r->p. */
static int read_scalar(reader *r, mb_pgjson *node)
{
    static const struct {
        const char *word;
        mb_pgjson_type type;
    } words[] = {
        {"true", MB_PGJSON_TRUE}, {"false", MB_PGJSON_FALSE},
        {"null", MB_PGJSON_NULL},
    };
    const char *start = r->p;
    int digits = 0;
    size_t i;

    for (i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);

        if ((size_t)(r->end - r->p) >= n &&
            memcmp(r->p, words[i].word, n) == 0) {
            node->type = words[i].type;
            r->p += n;
            return MB_OK;
        }
    }
    /* a number holds a digit; the reader does not check the rest of
     * RFC 8259's grammar of numbers, which libpg_query follows */
    for (; r->p < r->end && *r->p != '\0' &&
           strchr("+-0123456789.eE", *r->p) != NULL; r->p++)
        digits |= *r->p >= '0' && *r->p <= '9';
    if (!digits)
        return bad(r, "unexpected character");
    node->type = MB_PGJSON_NUMBER;
    node->str = mb_arena_strndup(r->arena, start, (size_t)(r->p - start));
    return node->str ? MB_OK : mb_error_set(r->err, MB_ENOMEM,
                                            "out of memory");
}

/* A new value at r->p, appended to parent (NULL: the root). */
static int read_value(reader *r, mb_pgjson *parent, const char *key,
                      mb_pgjson **out)
{
    mb_pgjson *node = mb_arena_alloc(r->arena, sizeof *node);
    int rc = MB_OK;

    if (node == NULL)
        return mb_error_set(r->err, MB_ENOMEM, "out of memory");
    memset(node, 0, sizeof *node);
    node->key = key;
    node->parent = parent;
    if (*r->p == '{' || *r->p == '[') {
        node->type = *r->p == '{' ? MB_PGJSON_OBJECT : MB_PGJSON_ARRAY;
        r->p++;
    } else if (*r->p == '"') {
        node->type = MB_PGJSON_STRING;
        rc = read_string(r, &node->str);
    } else {
        rc = read_scalar(r, node);
    }
    if (rc < 0)
        return rc;
    if (parent != NULL) {
        if (parent->last != NULL)
            parent->last->next = node;
        else
            parent->child = node;
        parent->last = node;
    }
    *out = node;
    return MB_OK;
}

int mb_pgjson_parse(mb_pgjson **out, mb_arena *arena, const char *text,
                  size_t len, mb_error *err)
{
    reader r = {text, text, text + len, arena, err};
    mb_pgjson *open = NULL, *node = NULL, *root = NULL;
    const char *key = NULL;
    enum want want = WANT_VALUE;
    int rc = MB_OK;

    *out = NULL;
    for (;;) {
        skip_space(&r);
        if (want == WANT_END) {
            if (r.p != r.end)
                return bad(&r, "text after the value");
            break;
        }
        if (r.p == r.end)
            return bad(&r, "unexpected end");
        if ((want == WANT_KEY_OR_CLOSE && *r.p == '}') ||
            (want == WANT_VALUE_OR_CLOSE && *r.p == ']') ||
            (want == WANT_COMMA_OR_CLOSE &&
             *r.p == (open->type == MB_PGJSON_OBJECT ? '}' : ']'))) {
            r.p++;
            open = open->parent;
            want = open != NULL ? WANT_COMMA_OR_CLOSE : WANT_END;
        } else if (want == WANT_COMMA_OR_CLOSE) {
            if (*r.p != ',')
                return bad(&r, "expected ',' or the end of a container");
            r.p++;
            want = open->type == MB_PGJSON_OBJECT ? WANT_KEY : WANT_VALUE;
        } else if (want == WANT_KEY || want == WANT_KEY_OR_CLOSE) {
            if (*r.p != '"')
                return bad(&r, "expected a member name");
            if ((rc = read_string(&r, &key)) < 0)
                return rc;
            skip_space(&r);
            if (r.p == r.end || *r.p != ':')
                return bad(&r, "expected ':'");
            r.p++;
            want = WANT_VALUE;
        } else {
            if ((rc = read_value(&r, open, key, &node)) < 0)
                return rc;
            key = NULL;
            if (root == NULL)
                root = node;
            if (node->type == MB_PGJSON_OBJECT ||
                node->type == MB_PGJSON_ARRAY) {
                open = node;
                want = node->type == MB_PGJSON_OBJECT ? WANT_KEY_OR_CLOSE
                                                    : WANT_VALUE_OR_CLOSE;
            } else {
                want = open != NULL ? WANT_COMMA_OR_CLOSE : WANT_END;
            }
        }
    }
    *out = root;
    return MB_OK;
}

const mb_pgjson *mb_pgjson_get(const mb_pgjson *obj, const char *key)
{
    const mb_pgjson *m;

    if (obj == NULL || obj->type != MB_PGJSON_OBJECT)
        return NULL;
    for (m = obj->child; m != NULL; m = m->next) {
        if (strcmp(m->key, key) == 0)
            return m;
    }
    return NULL;
}

const char *mb_pgjson_str(const mb_pgjson *obj, const char *key)
{
    const mb_pgjson *m = mb_pgjson_get(obj, key);

    return m != NULL && m->type == MB_PGJSON_STRING ? m->str : NULL;
}

int mb_pgjson_true(const mb_pgjson *obj, const char *key)
{
    const mb_pgjson *m = mb_pgjson_get(obj, key);

    return m != NULL && m->type == MB_PGJSON_TRUE;
}

const mb_pgjson *mb_pgjson_walk(const mb_pgjson *root, const mb_pgjson *at)
{
    if (at == NULL)
        return root;
    if (at->child != NULL)
        return at->child;
    while (at != root) {
        if (at->next != NULL)
            return at->next;
        at = at->parent;
    }
    return NULL;
}

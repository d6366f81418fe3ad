/*
 * url.c -- password redaction for database URLs (see mb/url.h).
 *
 * Whatever libpq would take as a password must not be printed, so this
 * reads a URL the way libpq reads its two forms (fe-connect.c), and hides
 * more where other readings differ:
 *
 *   - the user info of a URI runs from "://" to the last '@' before the
 *     first '/' (libpq looks for the '@' up to a '/' only: '?' and '#' do
 *     not end it); its password is what follows its first ':';
 *   - a parameter starts at the start of the text or after '?', '&', ';'
 *     or white space; its name is password or sslpassword in any case
 *     (libpq refuses other cases, but the text is printed all the same),
 *     percent-encoded or not in a URI ("pass%77ord": libpq decodes names);
 *   - in a URI (postgresql:// or postgres://) a value runs to the next
 *     '&'; in a key=value string, white space may surround the '=', and a
 *     value is single-quoted or runs to the next white space, a backslash
 *     escaping the next character in both (conninfo_parse).
 *
 * Every place where a parameter could start is tried, not only those a
 * parser reaches after the values before them, and the output hides the
 * union of what was found: a value that seems to hide the start of the
 * next parameter cannot make that one visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mb/alloc.h"
#include "mb/url.h"

/* Append n bytes of s to out[*len..size), keeping it terminated. */
static void put(char *out, size_t size, size_t *len, const char *s, size_t n)
{
    if (*len + 1 >= size)
        return;
    if (n > size - 1 - *len)
        n = size - 1 - *len;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

/* C's isspace() in the C locale, which libpq uses. */
static int is_white(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The password of the user info after every "://". */
static void mark_userinfo(const char *url, unsigned char *hide)
{
    const char *p = url;

    while ((p = strstr(p, "://")) != NULL) {
        const char *start = p + 3, *end = start + strcspn(start, "/");
        const char *at = NULL, *colon, *q;

        for (q = start; q < end; q++) /* the last '@' ends the user info */
            if (*q == '@')
                at = q;
        colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
        if (colon != NULL)
            memset(hide + (colon + 1 - url), 1, (size_t)(at - colon - 1));
        p = start;
    }
}

/*
 * Length of the parameter name at s when it is password or sslpassword
 * (any case; percent-decoded when uri), else 0.
 */
static size_t secret_name(const char *s, int uri)
{
    char name[sizeof "sslpassword"];
    size_t n = 0, i = 0;

    while (s[i] != '\0' && s[i] != '=' && s[i] != '&' && !is_white(s[i])) {
        char c = s[i++];

        if (uri && c == '%' && hex(s[i]) >= 0 && hex(s[i + 1]) >= 0) {
            c = (char)(hex(s[i]) * 16 + hex(s[i + 1]));
            i += 2;
        }
        if (n + 1 == sizeof name)
            return 0;
        name[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    name[n] = '\0';
    return strcmp(name, "password") == 0 || strcmp(name, "sslpassword") == 0
               ? i
               : 0;
}

/* End of the value that starts at url[i]. */
static size_t value_end(const char *url, size_t i, int uri)
{
    int quoted = !uri && url[i] == '\'';

    if (uri)
        return i + strcspn(url + i, "&");
    for (i += (size_t)quoted; url[i] != '\0'; i++) {
        if (url[i] == '\\' && url[i + 1] != '\0')
            i++;
        else if (quoted ? url[i] == '\'' : is_white(url[i]))
            break;
    }
    return quoted && url[i] == '\'' ? i + 1 : i;
}

/* The value of every parameter that secret_name() recognises. */
static void mark_params(const char *url, unsigned char *hide, int uri)
{
    size_t i, v;

    for (i = 0; url[i] != '\0'; i++) {
        if (i > 0 && strchr("?&;", url[i - 1]) == NULL &&
            !is_white(url[i - 1]))
            continue;
        if ((v = secret_name(url + i, uri)) == 0)
            continue;
        v += i;
        while (!uri && is_white(url[v]))
            v++;
        if (url[v] != '=')
            continue;
        v++;
        while (!uri && is_white(url[v]))
            v++;
        memset(hide + v, 1, value_end(url, v, uri) - v);
    }
}

void mb_url_redact(char *out, size_t size, const char *url)
{
    size_t n, len = 0, i, j;
    unsigned char *hide;

    if (size == 0)
        return;
    out[0] = '\0';
    n = strlen(url);
    hide = mb_calloc(n + 1, 1);
    if (hide == NULL) {
        put(out, size, &len, "***", 3); /* all of it, not a password */
        n = 0;
    } else {
        mark_userinfo(url, hide);
        mark_params(url, hide, strncmp(url, "postgresql://", 13) == 0 ||
                                   strncmp(url, "postgres://", 11) == 0);
    }
    for (i = 0; i < n; i = j) {
        for (j = i; j < n && hide[j] == hide[i]; j++)
            ;
        if (hide[i])
            put(out, size, &len, "***", 3);
        else
            put(out, size, &len, url + i, j - i);
    }
    free(hide);
}

/*
 * url.c -- password redaction for database URLs (see mb/url.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

void mb_url_redact(char *out, size_t size, const char *url)
{
    const char *p = url, *auth = strstr(url, "://");
    size_t len = 0;

    if (size == 0)
        return;
    out[0] = '\0';
    if (auth != NULL) {
        const char *start = auth + 3;
        const char *end = start + strcspn(start, "/?#");
        const char *at = NULL, *q;

        for (q = start; q < end; q++) /* the last '@' ends the userinfo */
            if (*q == '@')
                at = q;
        if (at != NULL) {
            const char *colon = memchr(start, ':', (size_t)(at - start));
            if (colon != NULL) {
                put(out, size, &len, url, (size_t)(colon + 1 - url));
                put(out, size, &len, "***", 3);
                p = at;
            }
        }
    }
    /* password=VALUE anywhere after that: query or key=value form */
    while (*p != '\0') {
        const char *hit = strstr(p, "password=");
        const char *val;

        if (hit == NULL || (hit > url && hit[-1] != '?' && hit[-1] != '&' &&
                            hit[-1] != ' ' && hit[-1] != ';')) {
            size_t n = hit ? (size_t)(hit - p) + 1 : strlen(p);
            put(out, size, &len, p, n);
            p += n;
            continue;
        }
        val = hit + strlen("password=");
        put(out, size, &len, p, (size_t)(val - p));
        put(out, size, &len, "***", 3);
        p = val + strcspn(val, "&; ");
    }
}

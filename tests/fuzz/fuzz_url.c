/*
 * fuzz_url.c -- libFuzzer harness for mb_url_redact() and
 * mb_backend_for_url().
 *
 * Built and run by tests/fuzz/run.sh (ctest: fuzz.url), with the
 * dictionary url.dict; seeds in corpus/url/.
 *
 * fuzz-sources: runtime/url.c runtime/backend.c runtime/arena.c
 * fuzz-sources: runtime/error.c runtime/buf.c
 * fuzz-options: -max_len=1024
 *
 * The input: byte 0 picks the mode, byte 1 the size of the output buffer
 * (0 to 255, allocated exactly, so that a write past it is caught), the
 * rest is split at NUL bytes into the parts a mode needs.
 *
 *   raw       the rest is the URL. The output is terminated within the
 *             size; a URL with neither '@' nor '=' comes out unchanged
 *             (cut to the size). mb_backend_for_url() picks a backend
 *             exactly for the prefixes sqlite:, postgresql://, postgres://
 *             and refuses anything else with MB_EUSAGE, a message and a
 *             hint.
 *   userinfo  SCHEME://USER:PASSWORD@REST, as libpq reads a URI (the user
 *             info ends at the first '/' or '@'; fe-connect.c,
 *             conninfo_uri_parse_options), any scheme;
 *   query     postgresql://HOST?...&KEY=PASSWORD[&REST] (or after '?'),
 *             KEY password or sslpassword, any case, any of its letters
 *             percent-encoded (libpq decodes parameter names);
 *   keyvalue  PREFIX KEY = PASSWORD [REST], a libpq key=value string:
 *             spaces around '=', the value single-quoted or not, escaped
 *             with backslashes as libpq reads them (conninfo_parse).
 *
 * In the last three, PASSWORD holds a sentinel made of DEL bytes and
 * text between parts from the input; every other part has its DEL bytes
 * removed. Checked: no DEL byte in the output, so no part of the password
 * is printed, whatever the size. FUZZ_URL_SHOW=1 in the environment prints
 * each URL and its redaction.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzhelp.h"
#include "mb/backend.h"
#include "mb/url.h"

#define DEL '\x7f'
#define SENTINEL "\x7fs3ntinel\x7f"
#define URL_MAX 4096

/* backend.c only compares these addresses. */
const mb_backend mb_backend_sqlite = {.scheme = "sqlite"};
const mb_backend mb_backend_postgres = {.scheme = "postgresql"};

/* The parts of the input: pieces between NUL bytes. */
typedef struct parts {
    const uint8_t *p;
    size_t n;
} parts;

/* The next part, without the bytes in drop (DEL always), appended. */
static void add_part(char *url, size_t *len, parts *in, const char *drop)
{
    while (in->n > 0 && in->p[0] != '\0') {
        char c = (char)in->p[0];

        if (c != DEL && strchr(drop, c) == NULL && *len < URL_MAX)
            url[(*len)++] = c;
        in->p++;
        in->n--;
    }
    if (in->n > 0) { /* the NUL */
        in->p++;
        in->n--;
    }
    url[*len] = '\0';
}

static void add(char *url, size_t *len, const char *s)
{
    size_t n = strlen(s);

    if (*len + n > URL_MAX)
        n = URL_MAX - *len;
    memcpy(url + *len, s, n);
    *len += n;
    url[*len] = '\0';
}

static uint8_t next_byte(parts *in)
{
    uint8_t b = 0;

    if (in->n > 0) {
        b = in->p[0];
        in->p++;
        in->n--;
    }
    return b;
}

/* Redact url into an exact buffer of size bytes; check the result. */
static void redact(const char *url, size_t size, int secret)
{
    char *out = malloc(size ? size : 1);
    size_t len;

    CHECK(out != NULL);
    mb_url_redact(out, size, url);
    if (getenv("FUZZ_URL_SHOW") != NULL) /* to see what an input tests */
        fprintf(stderr, "url: %s\nout: %.*s\n", url, (int)size, out);
    if (size > 0) {
        CHECK(memchr(out, '\0', size) != NULL);
        len = strlen(out);
        CHECK(!secret || memchr(out, DEL, len) == NULL);
        if (!secret && strpbrk(url, "@=") == NULL)
            CHECK(strncmp(out, url, size - 1) == 0);
    }
    free(out);
}

static void check_backend(const char *url)
{
    const mb_backend *be = NULL;
    mb_error err = MB_ERROR_INIT;
    int rc = mb_backend_for_url(&be, url, &err);
    int lite = strncmp(url, "sqlite:", 7) == 0;
    int pg = strncmp(url, "postgresql://", 13) == 0 ||
             strncmp(url, "postgres://", 11) == 0;

    if (rc == MB_OK) {
        CHECK(lite || pg);
        CHECK(be == (lite ? &mb_backend_sqlite : &mb_backend_postgres));
    } else {
        CHECK(!lite && !pg && rc == MB_EUSAGE && err.code == MB_EUSAGE);
        CHECK(err.msg[0] != '\0' && err.hint[0] != '\0');
    }
}

static void userinfo(char *url, size_t *len, parts *in)
{
    static const char *const schemes[] = {"postgresql", "postgres",
                                          "sqlite", "mysql"};
    uint8_t pick = next_byte(in);

    if (pick < 4) {
        add(url, len, schemes[pick]);
    } else { /* [A-Za-z][A-Za-z0-9+.-]* */
        add(url, len, "s");
        add_part(url, len, in, "@/:?#&= \t\n\r\f\v'\\%\"<>[]{}|^`,;!$()*~_");
    }
    add(url, len, "://");
    add_part(url, len, in, "@/");          /* user */
    add(url, len, ":");
    add_part(url, len, in, "@/");          /* password */
    add(url, len, SENTINEL);
    add_part(url, len, in, "@/");
    add(url, len, "@");
    add_part(url, len, in, "");            /* host, port, dbname, ... */
}

/* KEY: password or sslpassword, letters in any case or %XX encoded. */
static void key(char *url, size_t *len, parts *in, int encode)
{
    const char *k = next_byte(in) & 1 ? "sslpassword" : "password";
    size_t i;

    for (i = 0; k[i] != '\0'; i++) {
        uint8_t how = next_byte(in);
        char c = how & 1 ? (char)(k[i] - 'a' + 'A') : k[i];
        char hex[4];

        if (encode && (how & 2)) {
            snprintf(hex, sizeof hex, how & 4 ? "%%%02X" : "%%%02x",
                     (unsigned char)c);
            add(url, len, hex);
        } else {
            hex[0] = c;
            hex[1] = '\0';
            add(url, len, hex);
        }
    }
}

static void query(char *url, size_t *len, parts *in)
{
    add(url, len, next_byte(in) & 1 ? "postgresql://" : "postgres://");
    add_part(url, len, in, "");            /* user, host, port, dbname... */
    add(url, len, strchr(url, '?') ? "&" : "?");
    key(url, len, in, 1);
    add(url, len, "=");
    add_part(url, len, in, "&");
    add(url, len, SENTINEL);
    add_part(url, len, in, "&");
    if (in->n > 0) {
        add(url, len, "&");
        add_part(url, len, in, "");
    }
}

/* Append part escaped as libpq reads a value: quoted or not. */
static void value_part(char *url, size_t *len, parts *in, int quoted)
{
    char raw[URL_MAX + 1];
    size_t n = 0, i;

    add_part(raw, &n, in, "");
    for (i = 0; i < n; i++) {
        char c[3] = {raw[i], '\0', '\0'};
        /* unquoted, a first quote would start a quoted value */
        int esc = raw[i] == '\\' || raw[i] == '\'' ||
                  (!quoted && strchr(" \t\n\r\f\v", raw[i]) != NULL);
        if (esc) {
            c[0] = '\\';
            c[1] = raw[i];
        }
        add(url, len, c);
    }
}

static void keyvalue(char *url, size_t *len, parts *in)
{
    static const char *const spaces[4] = {"", " ", "\t", "  \n"};
    uint8_t how = next_byte(in);
    int quoted = how & 1;

    add_part(url, len, in, "");            /* host=... user=... */
    if (*len > 0 || (how & 2))
        add(url, len, spaces[1 + ((how >> 2) % 3)]);
    key(url, len, in, 0);
    add(url, len, spaces[(how >> 4) & 3]);
    add(url, len, "=");
    add(url, len, spaces[(how >> 6) & 3]);
    if (quoted)
        add(url, len, "'");
    value_part(url, len, in, quoted);
    add(url, len, SENTINEL);
    value_part(url, len, in, quoted);
    if (quoted)
        add(url, len, "'");
    if (in->n > 0) {
        add(url, len, " ");
        add_part(url, len, in, "");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parts in = {data, size};
    char *url = malloc(URL_MAX + 1);
    unsigned mode = next_byte(&in) % 4;
    size_t out_size = next_byte(&in), len = 0;

    CHECK(url != NULL);
    url[0] = '\0';
    if (mode == 0) { /* up to a NUL, DEL bytes kept */
        len = strnlen((const char *)in.p, in.n);
        if (len > URL_MAX)
            len = URL_MAX;
        memcpy(url, in.p, len);
        url[len] = '\0';
        check_backend(url);
    } else if (mode == 1) {
        userinfo(url, &len, &in);
    } else if (mode == 2) {
        query(url, &len, &in);
    } else {
        keyvalue(url, &len, &in);
        /* a string that starts like a libpq URI is read as one */
        if (strncmp(url, "postgresql://", 13) == 0 ||
            strncmp(url, "postgres://", 11) == 0)
            mode = 0;
    }
    redact(url, out_size, mode != 0);
    free(url);
    return 0;
}

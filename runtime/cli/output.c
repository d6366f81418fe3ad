/*
 * output.c -- output helpers for the read commands: JSON, dialect names.
 *
 * Strings are escaped per RFC 8259: quote, backslash and every control
 * character; other bytes (UTF-8, validated at bundle time) pass through.
 */
#include "cli.h"

void json_str(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    if (s == NULL) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    for (; *p != '\0'; p++) {
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if (*p < 0x20)
                fprintf(fp, "\\u%04x", *p);
            else
                fputc(*p, fp);
        }
    }
    fputc('"', fp);
}

void json_str_array(FILE *fp, const char *const *v, unsigned n)
{
    unsigned i;

    fputc('[', fp);
    for (i = 0; i < n; i++) {
        if (i > 0)
            fputs(", ", fp);
        json_str(fp, v[i]);
    }
    fputc(']', fp);
}

const char *cli_dialect_name(int dialect)
{
    return dialect == MB_DIALECT_POSTGRESQL ? "postgresql"
           : dialect == MB_DIALECT_SQLITE   ? "sqlite"
                                            : "any";
}

/*
 * json.c -- the JSON that the read commands print (see mb/json.h).
 */
#include "mb/json.h"
#include "mb/revision.h"

void mb_json_str(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

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

void mb_json_member(FILE *fp, int first, const char *name, const char *s)
{
    fprintf(fp, "%s\"%s\": ", first ? "" : ", ", name);
    mb_json_str(fp, s);
}

void mb_json_str_array(FILE *fp, const char *const *v, unsigned n)
{
    unsigned i;

    fputc('[', fp);
    for (i = 0; i < n; i++) {
        if (i > 0)
            fputs(", ", fp);
        mb_json_str(fp, v[i]);
    }
    fputc(']', fp);
}

const char *mb_json_bool(int b)
{
    return b ? "true" : "false";
}

void mb_json_revision(FILE *fp, const mb_revision *r, int dialect)
{
    mb_json_member(fp, 1, "revision", r->id);
    mb_json_member(fp, 0, "message", r->message);
    mb_json_member(fp, 0, "path", r->path);
    mb_json_member(fp, 0, "checksum", r->checksum);
    fputs(", \"revises\": ", fp);
    mb_json_str_array(fp, r->revises, r->n_revises);
    fputs(", \"depends_on\": ", fp);
    mb_json_str_array(fp, r->depends_on, r->n_depends_on);
    fputs(", \"branch_labels\": ", fp);
    mb_json_str_array(fp, r->branch_labels, r->n_branch_labels);
    mb_json_member(fp, 0, "create_date", r->create_date);
    fprintf(fp, ", \"reversible\": %s",
            mb_json_bool(mb_revision_reversible(r, dialect)));
}

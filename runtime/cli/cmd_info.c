/*
 * cmd_info.c -- the read commands about the database and the bundle:
 * current, verify, manifest (the graph's are in cmd_graph.c). None of
 * them writes to the database; current and verify open it read-only (a
 * missing SQLite file reads as an empty database).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mb/alloc.h"
#include "mb/plan.h"
#include "mb/revision.h"
#include "mb/url.h"

/* One revision as a JSON object's members (no braces). */
void json_revision(FILE *fp, const mb_revision *r, int dialect)
{
    fputs("\"revision\": ", fp);
    json_str(fp, r->id);
    fputs(", \"message\": ", fp);
    json_str(fp, r->message);
    fputs(", \"path\": ", fp);
    json_str(fp, r->path);
    fputs(", \"checksum\": ", fp);
    json_str(fp, r->checksum);
    fputs(", \"revises\": ", fp);
    json_str_array(fp, r->revises, r->n_revises);
    fputs(", \"depends_on\": ", fp);
    json_str_array(fp, r->depends_on, r->n_depends_on);
    fputs(", \"branch_labels\": ", fp);
    json_str_array(fp, r->branch_labels, r->n_branch_labels);
    fputs(", \"create_date\": ", fp);
    json_str(fp, r->create_date);
    fprintf(fp, ", \"reversible\": %s",
            mb_revision_reversible(r, dialect) ? "true" : "false");
}

int cmd_current(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    mb_report rep = MB_REPORT_INIT;
    mb_versions v = MB_VERSIONS_INIT;
    unsigned char *applied = NULL;
    size_t *heads = NULL, nheads = 0, i, j;
    mb_session s;
    mb_ctx ctx;
    int rc, opened = 0;

    if ((rc = cli_graph(cli, &err)) < 0 ||
        (rc = cli_open(cli, &s, &err)) < 0)
        goto done;
    opened = 1;
    applied = mb_calloc(cli->graph.n ? cli->graph.n : 1, 1);
    if (applied == NULL) {
        rc = mb_error_set(&err, MB_ENOMEM, "out of memory");
        goto done;
    }
    ctx = cli_context(cli, &s);
    if ((rc = mb_read_state(&ctx, &v, applied, &rep, &err)) < 0 ||
        (rc = mb_applied_heads(&heads, &nheads, &cli->graph, applied,
                               &err)) < 0)
        goto done;
    if (cli->json) {
        fputs("{\"current\": [", stdout);
    } else if (cli->verbose) {
        char shown[512];

        mb_url_redact(shown, sizeof shown, cli->db);
        printf("Current revision(s) for %s:\n", shown);
    }
    for (i = 0; i < nheads; i++) {
        const mb_node *nd = &cli->graph.nodes[heads[i]];
        const mb_version_row *row = NULL;

        for (j = 0; j < v.n && row == NULL; j++)
            if (strcmp(v.rows[j].revision, nd->rev->id) == 0)
                row = &v.rows[j];
        if (!cli->json) {
            if (cli->verbose)
                cli_rev_entry(cli, heads[i], 0);
            else
                cli_rev_line(cli, heads[i], CLI_SHOW_TREE, 0);
            continue;
        }
        printf("%s\n  {", i ? "," : "");
        cli_rev_json(cli, heads[i], s.be->dialect, 1);
        fputs(", \"applied_at\": ", stdout);
        json_str(stdout, row ? row->applied_at : NULL);
        fputs(", \"bundle_digest\": ", stdout);
        json_str(stdout, row ? row->bundle_digest : NULL);
        fputs("}", stdout);
    }
    if (cli->json)
        printf("%s], \"applied\": %zu, \"problems\": %zu}\n",
               nheads ? "\n" : "", v.n, rep.count);
    if (rep.count > 0) {
        fprintf(stderr, "%s: warning: the database does not match this "
                "bundle; run \"verify\"\n", cli->prog);
        cli_print_report(cli, &rep);
    }
done:
    if (opened)
        cli_close(&s);
    free(heads);
    free(applied);
    mb_versions_free(&v);
    mb_report_free(&rep);
    return cli_fail(cli, rc, &err);
}

/* Print a report's lines as a JSON array of strings. */
static void json_report(const mb_report *rep)
{
    const char *p = rep->text.ptr;
    int first = 1;

    fputc('[', stdout);
    while (p != NULL && *p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = mb_strndup(p, n);

        fputs(first ? "" : ", ", stdout);
        json_str(stdout, line ? line : "(out of memory)");
        free(line);
        first = 0;
        p += n + (nl != NULL);
    }
    fputc(']', stdout);
}

int cmd_verify(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    mb_report brep = MB_REPORT_INIT, drep = MB_REPORT_INIT;
    mb_versions v = MB_VERSIONS_INIT;
    unsigned char *applied = NULL;
    char shown[512];
    mb_session s;
    mb_ctx ctx;
    int rc, opened = 0;

    if ((rc = mb_bundle_selfcheck(cli->bundle, MB_SELFCHECK_DEEP, &brep,
                                   &err)) < 0 ||
        (rc = cli_graph(cli, &err)) < 0 ||
        (rc = cli_open(cli, &s, &err)) < 0)
        goto done;
    opened = 1;
    applied = mb_calloc(cli->graph.n ? cli->graph.n : 1, 1);
    if (applied == NULL) {
        rc = mb_error_set(&err, MB_ENOMEM, "out of memory");
        goto done;
    }
    ctx = cli_context(cli, &s);
    if ((rc = mb_read_state(&ctx, &v, applied, &drep, &err)) < 0 ||
        (rc = mb_unresolved(&ctx, &drep, &err)) < 0)
        goto done;
    mb_url_redact(shown, sizeof shown, cli->db);
    if (cli->json) {
        printf("{\"bundle\": {\"ok\": %s, \"revisions\": %u, \"digest\": ",
               brep.count ? "false" : "true", cli->bundle->n_revisions);
        json_str(stdout, cli->bundle->digest);
        fputs(", \"problems\": ", stdout);
        json_report(&brep);
        printf("},\n \"database\": {\"ok\": %s, \"url\": ",
               drep.count ? "false" : "true");
        json_str(stdout, shown);
        printf(", \"applied\": %zu, \"problems\": ", v.n);
        json_report(&drep);
        printf("},\n \"ok\": %s}\n",
               brep.count + drep.count ? "false" : "true");
    } else {
        if (brep.count == 0)
            printf("bundle: ok (%u revisions, digest %s)\n",
                   cli->bundle->n_revisions, cli->bundle->digest);
        cli_report_lines(stdout, "bundle: ", &brep);
        if (drep.count == 0)
            printf("database: ok (%zu applied revision%s the bundle)\n",
                   v.n, v.n == 1 ? " matches" : "s match");
        cli_report_lines(stdout, "database: ", &drep);
    }
    if (brep.count + drep.count > 0) {
        fprintf(stderr, "%s: error: verification failed: %zu problem%s\n",
                cli->prog, brep.count + drep.count,
                brep.count + drep.count == 1 ? "" : "s");
        rc = MB_EINTEGRITY;
    }
done:
    if (opened)
        cli_close(&s);
    free(applied);
    mb_versions_free(&v);
    mb_report_free(&brep);
    mb_report_free(&drep);
    if (rc == MB_EINTEGRITY && err.msg[0] == '\0')
        return MB_EXIT_INTEGRITY;
    return cli_fail(cli, rc, &err);
}

int cmd_manifest(mb_cli *cli)
{
    const mb_bundle *b = cli->bundle;
    char shown[512] = "";
    unsigned i;

    if (b->default_db != NULL)
        mb_url_redact(shown, sizeof shown, b->default_db);
    if (!cli->json) {
        printf("name: %s\ngenerator: %s\ndigest: %s (%s)\ndefault-db: %s\n"
               "revisions: %u\n", b->name, b->generator, b->digest,
               MB_DIGEST_FORMAT, b->default_db ? shown : "(none)",
               b->n_revisions);
        for (i = 0; i < b->n_revisions; i++)
            printf("%s %s %s\n", b->revisions[i].checksum,
                   b->revisions[i].id, b->revisions[i].path);
        return MB_EXIT_OK;
    }
    fputs("{\"name\": ", stdout);
    json_str(stdout, b->name);
    fputs(", \"generator\": ", stdout);
    json_str(stdout, b->generator);
    fputs(", \"bundle_digest\": ", stdout);
    json_str(stdout, b->digest);
    fputs(", \"digest_format\": ", stdout);
    json_str(stdout, MB_DIGEST_FORMAT);
    fputs(", \"default_db\": ", stdout);
    json_str(stdout, b->default_db ? shown : NULL);
    fputs(", \"revisions\": [", stdout);
    for (i = 0; i < b->n_revisions; i++) {
        printf("%s\n  {", i ? "," : "");
        json_revision(stdout, &b->revisions[i], MB_DIALECT_ANY);
        fputs("}", stdout);
    }
    printf("%s]}\n", b->n_revisions ? "\n" : "");
    return MB_EXIT_OK;
}

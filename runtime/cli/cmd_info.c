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
#include "mb/drift.h"
#include "mb/exe.h"
#include "mb/json.h"
#include "mb/plan.h"
#include "mb/revision.h"
#include "mb/sign.h"
#include "mb/url.h"

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
                mb_graph_text_entry(&cli->gt, heads[i], 0);
            else
                mb_graph_text_line(&cli->gt, heads[i], MB_SHOW_TREE, 0);
            continue;
        }
        printf("%s\n  {", i ? "," : "");
        mb_graph_text_json(&cli->gt, heads[i], s.be->dialect, 1);
        mb_json_member(stdout, 0, "applied_at", row ? row->applied_at : NULL);
        mb_json_member(stdout, 0, "bundle_digest",
                       row ? row->bundle_digest : NULL);
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
        mb_json_str(stdout, line ? line : "(out of memory)");
        free(line);
        first = 0;
        p += n + (nl != NULL);
    }
    fputc(']', stdout);
}

/* The state of a fingerprint in verify's JSON. */
static const char *drift_state_name(int state)
{
    switch (state) {
    case MB_DRIFT_EQUAL: return "equal";
    case MB_DRIFT_FOUND: return "drift";
    case MB_DRIFT_OTHER: return "other-heads";
    case MB_DRIFT_BROKEN: return "corrupt";
    default: return "none";
    }
}

/* verify --drift: the schema against its fingerprint at the current
 * heads (applied); each difference a line of rep. */
static int verify_drift(mb_cli *cli, mb_session *s,
                        const unsigned char *applied, mb_drift *d,
                        mb_report *rep, mb_error *err)
{
    mb_buf heads = MB_BUF_INIT;
    int rc;

    if ((rc = mb_drift_heads(&heads, &cli->graph, applied, err)) < 0 ||
        (rc = mb_drift_check(&s->vt, heads.ptr, d, err)) < 0)
        goto done;
    if (d->state == MB_DRIFT_BROKEN)
        rc = mb_report_add(rep, err, "the fingerprint recorded at %s does "
                           "not match its checksum %s", d->recorded_at.ptr,
                           d->recorded_sum);
    if (rc == MB_OK)
        rc = mb_drift_report(d, "", rep, err);
    if (rc == MB_OK && (d->state == MB_DRIFT_NONE ||
                        d->state == MB_DRIFT_OTHER)) {
        fprintf(stderr, "%s: hint: an up, down or stamp of this release "
                "records one; \"%s stamp\" of the current heads (see "
                "\"current\") records the schema as it is\n", cli->prog,
                cli->prog);
    }
done:
    mb_buf_free(&heads);
    return rc;
}

/* verify --drift's "schema" member (JSON) or lines (text). */
static void print_drift(const mb_cli *cli, const mb_drift *d,
                        const mb_report *srep)
{
    size_t i;

    if (cli->json) {
        printf(",\n \"schema\": {\"ok\": %s",
               srep->count ? "false" : "true");
        mb_json_member(stdout, 0, "fingerprint", drift_state_name(d->state));
        mb_json_member(stdout, 0, "heads",
                       d->state == MB_DRIFT_NONE ? NULL : d->heads.ptr);
        mb_json_member(stdout, 0, "recorded_at",
                       d->state == MB_DRIFT_NONE ? NULL : d->recorded_at.ptr);
        mb_json_member(stdout, 0, "recorded_checksum",
                       d->recorded_sum[0] ? d->recorded_sum : NULL);
        mb_json_member(stdout, 0, "live_checksum",
                       d->live_sum[0] ? d->live_sum : NULL);
        fputs(", \"drift\": [", stdout);
        for (i = 0; i < d->diff.n; i++) {
            const mb_schema_delta *x = &d->diff.v[i];
            const mb_schema_obj *o = x->after ? x->after : x->before;

            fputs(i ? ", {" : "{", stdout);
            mb_json_member(stdout, 1, "change",
                           mb_drift_change_name(x->change));
            mb_json_member(stdout, 0, "kind", o->kind);
            mb_json_member(stdout, 0, "name", o->name);
            mb_json_member(stdout, 0, "recorded",
                           x->before ? x->before->def : NULL);
            mb_json_member(stdout, 0, "now", x->after ? x->after->def : NULL);
            fputc('}', stdout);
        }
        fputs("], \"problems\": ", stdout);
        json_report(srep);
        fputc('}', stdout);
        return;
    }
    if (d->state == MB_DRIFT_EQUAL)
        printf("schema: ok (fingerprint %s recorded at %s)\n",
               d->recorded_sum, d->recorded_at.ptr);
    else if (d->state == MB_DRIFT_NONE)
        printf("schema: no fingerprint recorded; nothing to compare\n");
    else if (d->state == MB_DRIFT_OTHER)
        printf("schema: no fingerprint recorded at the current heads (the "
               "latest is at %s); nothing to compare\n",
               d->heads.ptr[0] ? d->heads.ptr : "base");
    cli_report_lines(stdout, "schema: ", srep);
}

/* A release signature in JSON: null when the bundle is not signed. */
static void json_signature(const mb_signature_state *sig)
{
    if (!sig->is_signed) {
        fputs("null", stdout);
        return;
    }
    fputc('{', stdout);
    mb_json_member(stdout, 1, "algorithm", "ed25519");
    /* a malformed record has neither */
    mb_json_member(stdout, 0, "key_fingerprint",
                   sig->fingerprint[0] ? sig->fingerprint : NULL);
    mb_json_member(stdout, 0, "value", sig->b64[0] ? sig->b64 : NULL);
    printf(", \"valid\": %s, \"key_matches\": %s}",
           sig->valid ? "true" : "false",
           sig->key_matches ? "true" : "false");
}

int cmd_verify(mb_cli *cli)
{
    mb_error err = MB_ERROR_INIT;
    mb_report brep = MB_REPORT_INIT, drep = MB_REPORT_INIT;
    mb_report srep = MB_REPORT_INIT;
    mb_drift d = MB_DRIFT_INIT;
    mb_versions v = MB_VERSIONS_INIT;
    mb_signature_state sig;
    mb_pubkey key;
    unsigned char *applied = NULL;
    char shown[512];
    mb_session s;
    mb_ctx ctx;
    int rc, opened = 0;

    memset(&sig, 0, sizeof sig);
    if ((cli->key != NULL && (rc = mb_pubkey_read(&key, cli->key,
                                                  &err)) < 0) ||
        (rc = mb_exe_check(&brep, &err)) < 0)
        goto done;
    /* a truncated file may lack payload pages: touch none of them then */
    if (brep.count == 0 &&
        (rc = mb_bundle_selfcheck(cli->bundle, MB_SELFCHECK_DEEP, &brep,
                                  &err)) < 0)
        goto done;
    /* the signature signs the digest and metadata checksum found right */
    if (brep.count == 0 &&
        (rc = mb_signature_check(cli->bundle, cli->key ? &key : NULL, &sig,
                                 &brep, &err)) < 0)
        goto done;
    /* a release gate: the digest a site accepts (docs/operations.md) */
    if (cli->expect_digest != NULL &&
        strcmp(cli->expect_digest, cli->bundle->digest) != 0 &&
        (rc = mb_report_add(&brep, &err, "the bundle digest is %s, not %s "
                            "as --expect-digest requires",
                            cli->bundle->digest, cli->expect_digest)) < 0)
        goto done;
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
    if ((rc = mb_read_state(&ctx, &v, applied, &drep, &err)) < 0 ||
        (rc = mb_unresolved(&ctx, &drep, &err)) < 0)
        goto done;
    /* the schema is compared only with a version table that matches */
    if (cli->drift && drep.count == 0 &&
        (rc = verify_drift(cli, &s, applied, &d, &srep, &err)) < 0)
        goto done;
    mb_url_redact(shown, sizeof shown, cli->db);
    if (cli->json) {
        printf("{\"bundle\": {\"ok\": %s, \"revisions\": %u, \"digest\": ",
               brep.count ? "false" : "true", cli->bundle->n_revisions);
        mb_json_str(stdout, cli->bundle->digest);
        fputs(", \"signature\": ", stdout);
        json_signature(&sig);
        fputs(", \"problems\": ", stdout);
        json_report(&brep);
        printf("},\n \"database\": {\"ok\": %s, \"url\": ",
               drep.count ? "false" : "true");
        mb_json_str(stdout, shown);
        printf(", \"applied\": %zu, \"problems\": ", v.n);
        json_report(&drep);
        fputc('}', stdout);
        if (cli->drift)
            print_drift(cli, &d, &srep);
        printf(",\n \"ok\": %s}\n",
               brep.count + drep.count + srep.count ? "false" : "true");
    } else {
        if (brep.count == 0)
            printf("bundle: ok (%u revisions, digest %s)\n",
                   cli->bundle->n_revisions, cli->bundle->digest);
        if (brep.count == 0 && sig.is_signed)
            printf("signature: ok (ed25519, key %s%s)\n", sig.fingerprint,
                   cli->key ? ", the one --key names" : "");
        cli_report_lines(stdout, "bundle: ", &brep);
        if (drep.count == 0)
            printf("database: ok (%zu applied revision%s the bundle)\n",
                   v.n, v.n == 1 ? " matches" : "s match");
        cli_report_lines(stdout, "database: ", &drep);
        if (cli->drift && drep.count == 0)
            print_drift(cli, &d, &srep);
    }
    if (brep.count + drep.count + srep.count > 0) {
        size_t n = brep.count + drep.count + srep.count;

        fprintf(stderr, "%s: error: verification failed: %zu problem%s\n",
                cli->prog, n, n == 1 ? "" : "s");
        rc = MB_EINTEGRITY;
    }
done:
    if (opened)
        cli_close(&s);
    free(applied);
    mb_versions_free(&v);
    mb_report_free(&brep);
    mb_report_free(&drep);
    mb_report_free(&srep);
    mb_drift_free(&d);
    if (rc == MB_EINTEGRITY && err.msg[0] == '\0')
        return MB_EXIT_INTEGRITY;
    return cli_fail(cli, rc, &err);
}

/*
 * The manifest, with the release signature checked against the key the
 * bundle carries: one that does not verify is shown as such, then exit 3.
 */
int cmd_manifest(mb_cli *cli)
{
    const mb_bundle *b = cli->bundle;
    mb_error err = MB_ERROR_INIT;
    mb_report rep = MB_REPORT_INIT;
    mb_signature_state sig;
    char shown[512] = "";
    unsigned i;
    int rc;

    if ((rc = mb_signature_check(b, NULL, &sig, &rep, &err)) < 0)
        return cli_fail(cli, rc, &err);
    if (b->default_db != NULL)
        mb_url_redact(shown, sizeof shown, b->default_db);
    if (!cli->json) {
        printf("name: %s\ngenerator: %s\ndigest: %s (%s)\ndefault-db: %s\n"
               "metadata: %s (%s)\n", b->name, b->generator, b->digest,
               MB_DIGEST_FORMAT, b->default_db ? shown : "(none)",
               b->meta_checksum, MB_BUNDLE_META_FORMAT);
        if (sig.is_signed && sig.fingerprint[0] != '\0')
            printf("signed-by: ed25519 %s (%s)\nsignature: %s (%s)\n",
                   sig.fingerprint, sig.valid ? "valid" : "DOES NOT VERIFY",
                   sig.b64, MB_SIGNATURE_FORMAT);
        else
            printf("signed-by: %s\n", sig.is_signed ? "(malformed "
                   "signature record)" : "(not signed)");
        printf("revisions: %u\n", b->n_revisions);
        for (i = 0; i < b->n_revisions; i++)
            printf("%s %s %s\n", b->revisions[i].checksum,
                   b->revisions[i].id, b->revisions[i].path);
        goto done;
    }
    fputc('{', stdout);
    mb_json_member(stdout, 1, "name", b->name);
    mb_json_member(stdout, 0, "generator", b->generator);
    mb_json_member(stdout, 0, "bundle_digest", b->digest);
    mb_json_member(stdout, 0, "digest_format", MB_DIGEST_FORMAT);
    mb_json_member(stdout, 0, "default_db", b->default_db ? shown : NULL);
    mb_json_member(stdout, 0, "bundle_meta", b->meta_checksum);
    mb_json_member(stdout, 0, "meta_format", MB_BUNDLE_META_FORMAT);
    fputs(", \"signature\": ", stdout);
    json_signature(&sig);
    fputs(", \"revisions\": [", stdout);
    for (i = 0; i < b->n_revisions; i++) {
        printf("%s\n  {", i ? "," : "");
        mb_json_revision(stdout, &b->revisions[i], MB_DIALECT_ANY);
        fputs("}", stdout);
    }
    printf("%s]}\n", b->n_revisions ? "\n" : "");
done:
    if (rep.count > 0) {
        cli_print_report(cli, &rep);
        rc = MB_EINTEGRITY;
    }
    mb_report_free(&rep);
    return rc == MB_EINTEGRITY ? MB_EXIT_INTEGRITY : MB_EXIT_OK;
}

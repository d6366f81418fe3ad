/*
 * lint.c -- the safety lint of `migbundle check` (see lint.h).
 *
 * Each statement of a linted section is parsed alone by PostgreSQL's
 * parser (pgparse.c) and read back as a JSON tree (pgjson.c); the handler
 * of its node type (IndexStmt, AlterTableStmt, ...) applies the rules and
 * updates what the section has done so far. "An existing table" is one
 * the section did not create: the lint knows no schema, so every other
 * table is taken to be in use. Names are compared as the parser gives
 * them (unquoted names folded to lower case), without their schema.
 *
 * Every loop is over the statements of one section, the nodes of one
 * statement's tree, or the short lists the section built, each bounded by
 * the size of the file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lint.h"
#include "mb/revision.h"
#include "mb/sqlsplit.h"
#include "pgjson.h"
#include "pgparse.h"

enum rule {
    R_CONC_CREATE,
    R_CONC_DELETE,
    R_CONC_IN_TX,
    R_REQUIRED_FIELD,
    R_NOT_NULLABLE,
    R_FOREIGN_KEY,
    R_NOT_VALID,
    R_COLUMN_TYPE,
    R_RENAME_COLUMN,
    R_RENAME_TABLE,
    R_DROP_COLUMN,
    R_DROP_TABLE,
    R_ENUM_VALUE,
    R_VOLATILE_DEFAULT,
    R_TIMEOUT,
    N_RULES
};

/* The ids, stable: suppressions and docs/lint.md name them. */
static const char *const rule_ids[N_RULES] = {
    "require-concurrent-index-creation",
    "require-concurrent-index-deletion",
    "ban-concurrent-index-creation-in-transaction",
    "adding-required-field",
    "adding-not-nullable-field",
    "adding-foreign-key-constraint",
    "constraint-missing-not-valid",
    "changing-column-type",
    "renaming-column",
    "renaming-table",
    "ban-drop-column",
    "ban-drop-table",
    "enum-value-used-in-transaction",
    "adding-field-with-default",
    "require-timeout-settings",
};

/* A suppression comment: the rule it silences for statement stmt. */
typedef struct allow {
    unsigned line;
    int rule;
    size_t stmt;
    int used;
} allow;

/* What a section did: a created table or index, an enum value added, a
 * constraint added NOT VALID (b: its table, c: its column when it is
 * "c IS NOT NULL"), a column known not null (b.c). */
typedef struct fact {
    int kind;
    const char *a, *b, *c;
    unsigned line;
} fact;

enum fact_kind { F_TABLE, F_INDEX, F_ENUM, F_NOT_VALID, F_NOT_NULL };

typedef struct lint {
    const char *prog, *file;
    FILE *fp;
    int strict;
    size_t found;
    int transaction;    /* the section runs in one transaction */
    int timeout_set;    /* a lock_timeout is in force */
    int timeout_done;   /* require-timeout-settings said for the section */
    mb_arena arena;     /* the facts' strings, per section */
    fact *facts;
    size_t n_facts, cap_facts;
    allow *allows;
    size_t n_allows;
    size_t stmt;        /* the statement being linted */
    unsigned line;      /* its first line */
} lint;

size_t mb_lint_n_rules(void)
{
    return N_RULES;
}

const char *mb_lint_rule_id(size_t i)
{
    return i < N_RULES ? rule_ids[i] : NULL;
}

static void finding(lint *l, int rule, const char *fmt, ...) MB_PRINTF(3, 4);

/* Report rule at the current statement, unless a suppression covers it. */
static void finding(lint *l, int rule, const char *fmt, ...)
{
    va_list ap;
    size_t i;

    for (i = 0; i < l->n_allows; i++) {
        if (l->allows[i].stmt == l->stmt && l->allows[i].rule == rule) {
            l->allows[i].used = 1;
            return;
        }
    }
    fprintf(l->fp, "%s: %s: %s:%u: [%s] ", l->prog,
            l->strict ? "error" : "warning", l->file, l->line,
            rule_ids[rule]);
    va_start(ap, fmt);
    vfprintf(l->fp, fmt, ap);
    va_end(ap);
    fputc('\n', l->fp);
    l->found++;
}

/* --- facts ------------------------------------------------------------ */

static int add_fact(lint *l, int kind, const char *a, const char *b,
                    const char *c, mb_error *err)
{
    fact *f;

    if (l->n_facts == l->cap_facts) {
        size_t cap = l->cap_facts ? 2 * l->cap_facts : 16;
        fact *v = mb_arena_alloc(&l->arena, cap * sizeof *v);

        if (v == NULL)
            return mb_error_set(err, MB_ENOMEM, "out of memory");
        if (l->n_facts > 0)
            memcpy(v, l->facts, l->n_facts * sizeof *v);
        l->facts = v;
        l->cap_facts = cap;
    }
    f = &l->facts[l->n_facts];
    f->kind = kind;
    f->a = a ? mb_arena_strndup(&l->arena, a, strlen(a)) : NULL;
    f->b = b ? mb_arena_strndup(&l->arena, b, strlen(b)) : NULL;
    f->c = c ? mb_arena_strndup(&l->arena, c, strlen(c)) : NULL;
    f->line = l->line;
    if ((a && !f->a) || (b && !f->b) || (c && !f->c))
        return mb_error_set(err, MB_ENOMEM, "out of memory");
    l->n_facts++;
    return MB_OK;
}

static int same(const char *x, const char *y)
{
    return x == NULL || y == NULL ? x == y : strcmp(x, y) == 0;
}

/* The fact of this kind about a (and b, when b is not NULL), or NULL. */
static const fact *find_fact(const lint *l, int kind, const char *a,
                             const char *b)
{
    size_t i;

    for (i = 0; i < l->n_facts; i++) {
        const fact *f = &l->facts[i];

        if (f->kind == kind && same(f->a, a) && (b == NULL || same(f->b, b)))
            return f;
    }
    return NULL;
}

static int existing(const lint *l, const char *table)
{
    return table != NULL && find_fact(l, F_TABLE, table, NULL) == NULL;
}

/* --- reading the tree -------------------------------------------------- */

/* The node of a Node wrapper ({"IndexStmt": {...}}) and its type. */
static const mb_pgjson *node_of(const mb_pgjson *wrapper, const char **type)
{
    if (wrapper == NULL || wrapper->type != MB_PGJSON_OBJECT ||
        wrapper->child == NULL)
        return NULL;
    *type = wrapper->child->key;
    return wrapper->child;
}

/* The last String of a list of names (["public", "users"] -> "users"). */
static const char *last_name(const mb_pgjson *list)
{
    const mb_pgjson *e;
    const char *name = NULL;

    if (list == NULL)
        return NULL;
    for (e = list->child; e != NULL; e = e->next)
        name = mb_pgjson_str(mb_pgjson_get(e, "String"), "sval");
    return name;
}

static const char *relname(const mb_pgjson *node, const char *key)
{
    return mb_pgjson_str(mb_pgjson_get(node, key), "relname");
}

/* --- rules shared by several statements -------------------------------- */

/* DDL on table: require-timeout-settings, once per section. */
static void ddl_on(lint *l, const char *table)
{
    if (!existing(l, table) || l->timeout_set || l->timeout_done)
        return;
    l->timeout_done = 1;
    finding(l, R_TIMEOUT, "DDL on existing table \"%s\" without a "
            "lock_timeout waits for every query on it and blocks every "
            "query behind it; start the section with SET lock_timeout = "
            "'5s'%s", table, l->transaction ? " (or SET LOCAL)" : "");
}

/* The function of a volatile or unknown FuncCall in expr, or NULL. */
static const char *volatile_call(const mb_pgjson *expr)
{
    static const char *const stable[] = {
        "now", "transaction_timestamp", "statement_timestamp", "lower",
        "upper", "btrim", "concat", "md5", "date_trunc", "make_interval",
        "json_build_object", "json_build_array", "jsonb_build_object",
        "jsonb_build_array",
    };
    const mb_pgjson *n;
    size_t i;

    for (n = mb_pgjson_walk(expr, NULL); n != NULL;
         n = mb_pgjson_walk(expr, n)) {
        const char *fn;
        int known = 0;

        if (n->key == NULL || strcmp(n->key, "FuncCall") != 0)
            continue;
        fn = last_name(mb_pgjson_get(n, "funcname"));
        for (i = 0; fn != NULL && i < sizeof stable / sizeof stable[0]; i++)
            known |= strcmp(fn, stable[i]) == 0;
        if (!known)
            return fn != NULL ? fn : "?";
    }
    return NULL;
}

/* The column c of "c IS NOT NULL", or NULL. */
static const char *not_null_test(const mb_pgjson *expr)
{
    const mb_pgjson *t = mb_pgjson_get(expr, "NullTest");

    if (t == NULL || !same(mb_pgjson_str(t, "nulltesttype"), "IS_NOT_NULL"))
        return NULL;
    return last_name(mb_pgjson_get(mb_pgjson_get(mb_pgjson_get(t, "arg"),
                                             "ColumnRef"), "fields"));
}

/* --- statements -------------------------------------------------------- */

static void on_set(lint *l, const mb_pgjson *n)
{
    const mb_pgjson *args = mb_pgjson_get(n, "args");
    const mb_pgjson *value =
        mb_pgjson_get(args ? args->child : NULL, "A_Const");
    const char *s = mb_pgjson_str(mb_pgjson_get(value, "sval"), "sval");

    if (!same(mb_pgjson_str(n, "name"), "lock_timeout"))
        return;
    /* SET LOCAL outside a transaction block does nothing */
    if (mb_pgjson_true(n, "is_local") && !l->transaction)
        return;
    /* RESET, SET ... TO DEFAULT and a zero (0 or '0') turn it off; the
     * parser leaves a zero integer out ("ival": {}) */
    l->timeout_set =
        same(mb_pgjson_str(n, "kind"), "VAR_SET_VALUE") &&
        (mb_pgjson_get(mb_pgjson_get(value, "ival"), "ival") != NULL ||
         (s != NULL && s[0] != '\0' && strcmp(s, "0") != 0));
}

static int on_index(lint *l, const mb_pgjson *n, mb_error *err)
{
    const char *table = relname(n, "relation");
    const char *name = mb_pgjson_str(n, "idxname");

    ddl_on(l, table);
    if (mb_pgjson_true(n, "concurrent") && l->transaction)
        finding(l, R_CONC_IN_TX, "CREATE INDEX CONCURRENTLY cannot run "
                "inside a transaction block; put it in a \"-- migrate:up "
                "transaction:false\" section");
    else if (!mb_pgjson_true(n, "concurrent") && existing(l, table))
        finding(l, R_CONC_CREATE, "CREATE INDEX on existing table \"%s\" "
                "blocks writes to it until the index is built; use CREATE "
                "INDEX CONCURRENTLY in a \"transaction:false\" section",
                table);
    return name != NULL ? add_fact(l, F_INDEX, name, NULL, NULL, err)
                        : MB_OK;
}

static void on_drop(lint *l, const mb_pgjson *n)
{
    const char *type = mb_pgjson_str(n, "removeType");
    const mb_pgjson *o = mb_pgjson_get(n, "objects");
    int index = same(type, "OBJECT_INDEX");

    if (!index && !same(type, "OBJECT_TABLE"))
        return;
    if (index && mb_pgjson_true(n, "concurrent") && l->transaction) {
        finding(l, R_CONC_IN_TX, "DROP INDEX CONCURRENTLY cannot run "
                "inside a transaction block; put it in a \"-- migrate:up "
                "transaction:false\" section");
        return;
    }
    for (o = o ? o->child : NULL; o != NULL; o = o->next) {
        const char *name = last_name(mb_pgjson_get(mb_pgjson_get(o, "List"),
                                                 "items"));

        if (name == NULL)
            continue;
        if (!index && existing(l, name)) {
            ddl_on(l, name);
            finding(l, R_DROP_TABLE, "dropping table \"%s\" breaks every "
                    "running instance of the application that still uses "
                    "it; stop using it in one release, drop it in a later "
                    "one", name);
        } else if (index && !mb_pgjson_true(n, "concurrent") &&
                   find_fact(l, F_INDEX, name, NULL) == NULL) {
            finding(l, R_CONC_DELETE, "DROP INDEX \"%s\" blocks reads and "
                    "writes of its table; use DROP INDEX CONCURRENTLY in a "
                    "\"transaction:false\" section", name);
        }
    }
}

static void on_reindex(lint *l, const mb_pgjson *n)
{
    const mb_pgjson *p = mb_pgjson_get(n, "params");

    for (p = p ? p->child : NULL; p != NULL; p = p->next) {
        if (same(mb_pgjson_str(mb_pgjson_get(p, "DefElem"), "defname"),
                 "concurrently") && l->transaction)
            finding(l, R_CONC_IN_TX, "REINDEX CONCURRENTLY cannot run "
                    "inside a transaction block; put it in a \"-- migrate:up "
                    "transaction:false\" section");
    }
}

/* ADD COLUMN col ... on an existing table. */
static void add_column(lint *l, const char *table, const mb_pgjson *col)
{
    const char *name = mb_pgjson_str(col, "colname");
    const char *type = last_name(mb_pgjson_get(mb_pgjson_get(col, "typeName"),
                                             "names"));
    const mb_pgjson *c = mb_pgjson_get(col, "constraints");
    int not_null = 0, has_default = 0, fk = 0, check = 0;
    const char *rewrite = NULL;
    char call[80];

    if (type != NULL && (strcmp(type, "serial") == 0 ||
                         strcmp(type, "bigserial") == 0 ||
                         strcmp(type, "smallserial") == 0))
        rewrite = "a serial type's nextval()";
    for (c = c ? c->child : NULL; c != NULL; c = c->next) {
        const mb_pgjson *k = mb_pgjson_get(c, "Constraint");
        const char *t = mb_pgjson_str(k, "contype");
        const char *fn;

        if (same(t, "CONSTR_NOTNULL") || same(t, "CONSTR_PRIMARY"))
            not_null = 1;
        else if (same(t, "CONSTR_DEFAULT") || same(t, "CONSTR_IDENTITY") ||
                 same(t, "CONSTR_GENERATED"))
            has_default = 1;
        if (same(t, "CONSTR_DEFAULT") &&
            (fn = volatile_call(mb_pgjson_get(k, "raw_expr"))) != NULL) {
            snprintf(call, sizeof call, "%s()", fn);
            rewrite = call;
        }
        else if (same(t, "CONSTR_IDENTITY"))
            rewrite = "an identity column's sequence";
        else if (same(t, "CONSTR_GENERATED"))
            rewrite = "a stored generated column's expression";
        else if (same(t, "CONSTR_FOREIGN"))
            fk = 1;
        else if (same(t, "CONSTR_CHECK"))
            check = 1;
    }
    if (not_null && !has_default)
        finding(l, R_REQUIRED_FIELD, "column \"%s\" added to existing table "
                "\"%s\" as NOT NULL without a default fails on a table with "
                "rows; add it nullable, backfill it in batches, then add "
                "CHECK (%s IS NOT NULL) NOT VALID and VALIDATE it", name,
                table, name);
    if (rewrite != NULL)
        finding(l, R_VOLATILE_DEFAULT, "column \"%s\" added to existing "
                "table \"%s\" with a default from %s (volatile or not known "
                "to be stable) rewrites the table under an ACCESS EXCLUSIVE "
                "lock; add the column without it, SET DEFAULT, then backfill "
                "in batches", name, table, rewrite);
    if (fk)
        finding(l, R_FOREIGN_KEY, "column \"%s\" added to existing table "
                "\"%s\" with REFERENCES checks every row while both tables "
                "are locked; add the column, then the constraint NOT VALID, "
                "then VALIDATE CONSTRAINT in another transaction", name,
                table);
    if (check)
        finding(l, R_NOT_VALID, "column \"%s\" added to existing table "
                "\"%s\" with a CHECK scans every row under an ACCESS "
                "EXCLUSIVE lock; add the column, then the CHECK NOT VALID, "
                "then VALIDATE CONSTRAINT in another transaction", name,
                table);
}

/* ADD CONSTRAINT on table. */
static int add_constraint(lint *l, const char *table, const mb_pgjson *k,
                          mb_error *err)
{
    const char *type = mb_pgjson_str(k, "contype");
    const char *name = mb_pgjson_str(k, "conname");
    const char *col = not_null_test(mb_pgjson_get(k, "raw_expr"));
    int not_valid = mb_pgjson_true(k, "skip_validation");

    if (!same(type, "CONSTR_FOREIGN") && !same(type, "CONSTR_CHECK"))
        return MB_OK;
    if (not_valid)
        return add_fact(l, F_NOT_VALID, name, table, col, err);
    if (same(type, "CONSTR_FOREIGN") && existing(l, table))
        finding(l, R_FOREIGN_KEY, "foreign key added to existing table "
                "\"%s\" without NOT VALID checks every row while both "
                "tables are locked; add it NOT VALID, then VALIDATE "
                "CONSTRAINT in another transaction", table);
    else if (same(type, "CONSTR_CHECK") && existing(l, table))
        finding(l, R_NOT_VALID, "CHECK constraint added to existing table "
                "\"%s\" without NOT VALID scans every row under an ACCESS "
                "EXCLUSIVE lock; add it NOT VALID, then VALIDATE CONSTRAINT "
                "in another transaction", table);
    return col != NULL ? add_fact(l, F_NOT_NULL, table, col, NULL, err)
                       : MB_OK;
}

static int validate(lint *l, const char *table, const char *name,
                    mb_error *err)
{
    const fact *f = find_fact(l, F_NOT_VALID, name, table);

    if (f == NULL)
        return MB_OK;
    if (l->transaction)
        finding(l, R_NOT_VALID, "constraint \"%s\" is validated in the "
                "transaction that added it NOT VALID on line %u, which "
                "still holds the ACCESS EXCLUSIVE lock; VALIDATE it in a "
                "\"transaction:false\" section or a later revision", name,
                f->line);
    return f->c != NULL ? add_fact(l, F_NOT_NULL, table, f->c, NULL, err)
                        : MB_OK;
}

static int on_alter_table(lint *l, const mb_pgjson *n, mb_error *err)
{
    const char *table = relname(n, "relation");
    const mb_pgjson *c = mb_pgjson_get(n, "cmds");
    int old = existing(l, table), rc = MB_OK;

    if (!same(mb_pgjson_str(n, "objtype"), "OBJECT_TABLE"))
        return MB_OK;
    ddl_on(l, table);
    for (c = c ? c->child : NULL; c != NULL && rc == MB_OK; c = c->next) {
        const mb_pgjson *cmd = mb_pgjson_get(c, "AlterTableCmd");
        const mb_pgjson *def = mb_pgjson_get(cmd, "def");
        const char *sub = mb_pgjson_str(cmd, "subtype");
        const char *col = mb_pgjson_str(cmd, "name");

        if (same(sub, "AT_AddColumn") && old)
            add_column(l, table, mb_pgjson_get(def, "ColumnDef"));
        else if (same(sub, "AT_AddConstraint"))
            rc = add_constraint(l, table, mb_pgjson_get(def, "Constraint"),
                                err);
        else if (same(sub, "AT_ValidateConstraint"))
            rc = validate(l, table, col, err);
        else if (same(sub, "AT_SetNotNull") && old &&
                 find_fact(l, F_NOT_NULL, table, col) == NULL)
            finding(l, R_NOT_NULLABLE, "SET NOT NULL on \"%s\".\"%s\" scans "
                    "the whole table under an ACCESS EXCLUSIVE lock; first "
                    "add CHECK (%s IS NOT NULL) NOT VALID and VALIDATE it in "
                    "another transaction", table, col, col);
        else if (same(sub, "AT_AlterColumnType") && old)
            finding(l, R_COLUMN_TYPE, "changing the type of \"%s\".\"%s\" "
                    "can rewrite the table under an ACCESS EXCLUSIVE lock; "
                    "add a new column, backfill it in batches, and move the "
                    "application to it", table, col);
        else if (same(sub, "AT_DropColumn") && old)
            finding(l, R_DROP_COLUMN, "dropping column \"%s\".\"%s\" breaks "
                    "every running instance of the application that still "
                    "uses it; stop using it in one release, drop it in a "
                    "later one", table, col);
    }
    return rc;
}

static void on_rename(lint *l, const mb_pgjson *n)
{
    const char *type = mb_pgjson_str(n, "renameType");
    const char *table = relname(n, "relation");

    if (!existing(l, table))
        return;
    if (same(type, "OBJECT_COLUMN")) {
        ddl_on(l, table);
        finding(l, R_RENAME_COLUMN, "renaming column \"%s\".\"%s\" breaks "
                "every running instance of the application that uses the "
                "old name; add the new column and move to it over several "
                "releases", table, mb_pgjson_str(n, "subname"));
    } else if (same(type, "OBJECT_TABLE")) {
        ddl_on(l, table);
        finding(l, R_RENAME_TABLE, "renaming table \"%s\" breaks every "
                "running instance of the application that uses the old "
                "name; create the new table (or a view under the old name) "
                "and move to it over several releases", table);
    }
}

/* A string constant equal to an enum value this transaction added. */
static void uses_enum_value(lint *l, const mb_pgjson *tree)
{
    const mb_pgjson *n;
    size_t i;

    for (i = 0; i < l->n_facts; i++) {
        const fact *f = &l->facts[i];

        if (f->kind != F_ENUM)
            continue;
        for (n = mb_pgjson_walk(tree, NULL); n != NULL;
             n = mb_pgjson_walk(tree, n)) {
            if (n->type == MB_PGJSON_STRING && same(n->key, "sval") &&
                strcmp(n->str, f->a) == 0) {
                finding(l, R_ENUM_VALUE, "enum value '%s' added on line %u "
                        "is used in the same transaction, which PostgreSQL "
                        "refuses (unsafe use of new value); add it in a "
                        "\"transaction:false\" section or an earlier "
                        "revision", f->a, f->line);
                return;
            }
        }
    }
}

static int on_statement(void *ctx, size_t index, const mb_stmt *stmt,
                        const char *json, mb_error *err)
{
    lint *l = ctx;
    mb_arena tree = MB_ARENA_INIT;
    mb_pgjson *root;
    const mb_pgjson *s, *n;
    const char *type = NULL;
    int rc;

    l->stmt = index;
    l->line = stmt->line;
    if ((rc = mb_pgjson_parse(&root, &tree, json, strlen(json), err)) < 0)
        goto done;
    s = mb_pgjson_get(root, "stmts");
    for (s = s ? s->child : NULL; s != NULL && rc == MB_OK; s = s->next) {
        if ((n = node_of(mb_pgjson_get(s, "stmt"), &type)) == NULL)
            continue;
        if (l->transaction)
            uses_enum_value(l, n);
        if (strcmp(type, "VariableSetStmt") == 0)
            on_set(l, n);
        else if (strcmp(type, "CreateStmt") == 0)
            rc = add_fact(l, F_TABLE, relname(n, "relation"), NULL, NULL,
                          err);
        else if (strcmp(type, "CreateTableAsStmt") == 0)
            rc = add_fact(l, F_TABLE, relname(mb_pgjson_get(n, "into"),
                                              "rel"), NULL, NULL, err);
        else if (strcmp(type, "IndexStmt") == 0)
            rc = on_index(l, n, err);
        else if (strcmp(type, "DropStmt") == 0)
            on_drop(l, n);
        else if (strcmp(type, "ReindexStmt") == 0)
            on_reindex(l, n);
        else if (strcmp(type, "AlterTableStmt") == 0)
            rc = on_alter_table(l, n, err);
        else if (strcmp(type, "RenameStmt") == 0)
            on_rename(l, n);
        else if (strcmp(type, "CreateTrigStmt") == 0)
            ddl_on(l, relname(n, "relation"));
        else if (strcmp(type, "AlterEnumStmt") == 0 &&
                 mb_pgjson_str(n, "newVal") != NULL &&
                 mb_pgjson_str(n, "oldVal") == NULL && l->transaction)
            rc = add_fact(l, F_ENUM, mb_pgjson_str(n, "newVal"), NULL, NULL,
                          err);
    }
done:
    mb_arena_free(&tree);
    return rc;
}

/* --- suppressions ------------------------------------------------------ */

static const char allow_tag[] = "migbundle:allow";

/* The rule named by s[0..n), or -1. */
static int rule_named(const char *s, size_t n)
{
    int i;

    for (i = 0; i < N_RULES; i++) {
        if (strlen(rule_ids[i]) == n && memcmp(rule_ids[i], s, n) == 0)
            return i;
    }
    return -1;
}

/*
 * If line[0..n) is "-- migbundle:allow RULE REASON" (space before and
 * between as you like), fill a; MB_EPARSE when it names no known rule or
 * gives no reason; 0 when it is no suppression at all.
 */
static int read_allow(lint *l, const char *s, size_t n, unsigned line,
                      allow *a, mb_error *err)
{
    const char *end = s + n, *rule;
    size_t len;

    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    if (end - s < 2 || s[0] != '-' || s[1] != '-')
        return 0;
    for (s += 2; s < end && (*s == ' ' || *s == '\t'); s++)
        ;
    len = sizeof allow_tag - 1;
    if ((size_t)(end - s) < len || memcmp(s, allow_tag, len) != 0 ||
        (s + len < end && s[len] != ' ' && s[len] != '\t'))
        return 0;
    for (s += len; s < end && (*s == ' ' || *s == '\t'); s++)
        ;
    for (rule = s; s < end && *s != ' ' && *s != '\t'; s++)
        ;
    if (s == rule) {
        mb_error_at(err, MB_EPARSE, l->file, (int)line, "\"-- %s\" names "
                    "no rule", allow_tag);
        mb_error_hint(err, "write \"-- %s RULE REASON\"; docs/lint.md "
                      "lists the rules", allow_tag);
        return MB_EPARSE;
    }
    a->rule = rule_named(rule, (size_t)(s - rule));
    if (a->rule < 0) {
        mb_error_at(err, MB_EPARSE, l->file, (int)line, "unknown lint rule "
                    "\"%.*s\" in \"-- %s\"", (int)(s - rule), rule,
                    allow_tag);
        mb_error_hint(err, "docs/lint.md lists the rules, e.g. \"%s\"",
                      rule_ids[0]);
        return MB_EPARSE;
    }
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    if (s == end) {
        mb_error_at(err, MB_EPARSE, l->file, (int)line, "\"-- %s %s\" "
                    "gives no reason", allow_tag, rule_ids[a->rule]);
        mb_error_hint(err, "say why it is safe here, e.g. \"-- %s %s the "
                      "table has a few rows\"", allow_tag,
                      rule_ids[a->rule]);
        return MB_EPARSE;
    }
    a->line = line;
    a->used = 0;
    return 1;
}

/* The suppressions of a section, each tied to the statement it stands
 * in or before (st->n: none follows). */
static int read_allows(lint *l, const char *text, size_t len,
                       unsigned first_line, const mb_stmts *st,
                       mb_error *err)
{
    size_t pos = 0, k = 0;
    unsigned line = first_line;
    int rc;

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        allow a;

        if ((rc = read_allow(l, text + pos, n, line, &a, err)) < 0)
            return rc;
        if (rc == 1) {
            allow *v = mb_arena_alloc(&l->arena,
                                      (l->n_allows + 1) * sizeof *v);

            if (v == NULL)
                return mb_error_set(err, MB_ENOMEM, "out of memory");
            if (l->n_allows > 0)
                memcpy(v, l->allows, l->n_allows * sizeof *v);
            while (k < st->n && st->v[k].offset + st->v[k].len <= pos)
                k++;
            a.stmt = k;
            v[l->n_allows++] = a;
            l->allows = v;
        }
        pos += n + 1;
        line++;
    }
    return MB_OK;
}

/* --- driving ------------------------------------------------------------ */

static int lint_section(lint *l, const mb_revision *rev,
                        const mb_section *sec, mb_error *err)
{
    const char *text = (const char *)rev->data + sec->offset;
    mb_stmts st = MB_STMTS_INIT;
    size_t i;
    int rc;

    mb_arena_free(&l->arena);
    l->facts = NULL;
    l->n_facts = l->cap_facts = 0;
    l->allows = NULL;
    l->n_allows = 0;
    l->transaction = sec->transaction;
    l->timeout_set = l->timeout_done = 0;
    if ((rc = mb_sql_split(&st, text, sec->len, l->file, sec->line + 1,
                           err)) < 0 ||
        (rc = read_allows(l, text, sec->len, sec->line + 1, &st, err)) < 0 ||
        (rc = mb_pgparse_section(text, sec->len, l->file, sec->line + 1,
                                 on_statement, l, err)) < 0)
        goto done;
    for (i = 0; i < l->n_allows; i++) {
        if (l->allows[i].used)
            continue;
        fprintf(l->fp, "%s: %s: %s:%u: [%s] this suppression silences "
                "nothing: %s; remove it\n", l->prog,
                l->strict ? "error" : "warning", l->file,
                l->allows[i].line, rule_ids[l->allows[i].rule],
                l->allows[i].stmt < st.n ? "the statement after it does "
                "not break the rule" : "no statement follows it");
        l->found++;
    }
done:
    mb_stmts_free(&st);
    return rc;
}

int mb_lint_project(const mb_project *p, int strict, const char *prog,
                    FILE *fp, size_t *found, mb_error *err)
{
    lint l;
    mb_buf shown = MB_BUF_INIT;
    size_t i;
    int rc = MB_OK;

    memset(&l, 0, sizeof l);
    l.prog = prog;
    l.fp = fp;
    l.strict = strict;
    for (i = 0; i < p->n_revs && rc == MB_OK; i++) {
        const mb_revision *rev = &p->revs[i];
        const mb_section *sec = mb_revision_section(rev, MB_SECTION_UP,
                                                    MB_DIALECT_POSTGRESQL);

        if (sec == NULL)
            continue;
        mb_buf_clear(&shown);
        if ((rc = mb_scan_join(&shown, p->scan.dir, rev->path, err)) < 0)
            break;
        l.file = shown.ptr;
        rc = lint_section(&l, rev, sec, err);
    }
    mb_arena_free(&l.arena);
    mb_buf_free(&shown);
    *found = l.found;
    return rc;
}

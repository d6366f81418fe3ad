#!/usr/bin/env bash
# runtime_read.sh -- the read commands on a small branched graph with a
# label and a dependency: history (-r ranges, -i, -v), heads, branches,
# current -v, show, sql; text (the same as Alembic 1.8 prints for the
# same graph, checked by hand with tests/alembic's method) and JSON; every
# error path with its exit status. Runs on both backends.
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL

# the graph: aaa1 branches into bbb2 and ccc3 (label audit); ddd4 revises
# bbb2 and depends on ccc3; eee5 revises ccc3 and is irreversible
w() { cat >"$T/revs/$1_x.sql"; }
mkdir -p "$T/revs"
w aaa1 <<'EOF'
-- create users
--
-- Revision ID: aaa1
-- Revises:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE users (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE users;
EOF
w bbb2 <<'EOF'
-- add role
--
-- Revision ID: bbb2
-- Revises: aaa1
-- Create Date: 2026-01-02 00:00:00

-- migrate:up
ALTER TABLE users ADD COLUMN role TEXT;

-- migrate:down
ALTER TABLE users DROP COLUMN role;
EOF
w ccc3 <<'EOF'
-- create audit log
--
-- Revision ID: ccc3
-- Revises: aaa1
-- Create Date: 2026-01-03 00:00:00
-- Branch Labels: audit

-- migrate:up
CREATE TABLE audit (id INTEGER);

-- migrate:down
DROP TABLE audit;
EOF
w ddd4 <<'EOF'
-- backfill roles
--
-- Revision ID: ddd4
-- Revises: bbb2
-- Create Date: 2026-01-04 00:00:00
-- Depends On: ccc3

-- migrate:up
UPDATE users SET role = 'member';

-- migrate:up dialect:postgresql transaction:false
UPDATE users SET role = 'member' WHERE role IS NULL;

-- migrate:down
UPDATE users SET role = NULL;
EOF
w eee5 <<'EOF'
-- index audit log
--
-- Revision ID: eee5
-- Revises: ccc3
-- Create Date: 2026-01-05 00:00:00

-- migrate:up
CREATE INDEX ix_audit ON audit (id);
EOF
make_app "$T/revs" "$T/app"
db=$(new_db read)
sum() { "$T/app" manifest | awk -v id="$1" '$2 == id { print $1 }'; }

# ---- without a database -------------------------------------------------

run "$T/app" history
expect_status 0
expect_stdout <<'EOF'
bbb2 (ccc3) -> ddd4 (head), backfill roles
aaa1 -> bbb2, add role
ccc3 -> eee5 (audit) (head), index audit log
aaa1 -> ccc3 (audit), create audit log
<base> -> aaa1 (branchpoint), create users
EOF
# history without -i never opens the database: a URL it cannot open is
# not an error
run "$T/app" -d mysql://nowhere/x history
expect_status 0
run "$T/app" -d mysql://nowhere/x history -i
expect_status 2
expect_err "unsupported database URL scheme"

run "$T/app" history -v --rev-range=ddd4:
expect_status 0
expect_stdout <<EOF
Rev: ddd4 (head)
Parent: bbb2
Also depends on: ccc3
Path: ddd4_x.sql
Checksum: $(sum ddd4)

    backfill roles
    
    Revision ID: ddd4
    Revises: bbb2
    Create Date: 2026-01-04 00:00:00

EOF

# ranges: each output is what alembic history -r prints for the graph
run "$T/app" history -r ccc3:
expect_stdout <<'EOF'
ccc3 -> eee5 (audit) (head), index audit log
aaa1 -> ccc3 (audit), create audit log
EOF
run "$T/app" history -r -1:
expect_stdout <<'EOF'
bbb2 (ccc3) -> ddd4 (head), backfill roles
aaa1 -> bbb2, add role
ccc3 -> eee5 (audit) (head), index audit log
aaa1 -> ccc3 (audit), create audit log
EOF
run "$T/app" history -r :bbb2
expect_stdout <<'EOF'
aaa1 -> bbb2, add role
<base> -> aaa1 (branchpoint), create users
EOF
run "$T/app" history -r audit@base:heads
expect_stdout <<'EOF'
ccc3 -> eee5 (audit) (head), index audit log
aaa1 -> ccc3 (audit), create audit log
<base> -> aaa1 (branchpoint), create users
EOF
run "$T/app" history -r :ccc3+1
expect_stdout <<'EOF'
ccc3 -> eee5 (audit) (head), index audit log
aaa1 -> ccc3 (audit), create audit log
<base> -> aaa1 (branchpoint), create users
EOF
run "$T/app" history -r bbb2:+5 # a relative walk stops at the end
expect_stdout <<'EOF'
bbb2 (ccc3) -> ddd4 (head), backfill roles
aaa1 -> bbb2, add role
EOF
run "$T/app" history -r base:base
expect_status 0
expect_stdout </dev/null

run "$T/app" heads
expect_stdout <<'EOF'
ddd4 (head)
eee5 (audit) (head)
EOF
run "$T/app" heads -v
expect_out "Rev: eee5 (head)"
expect_out "Branch names: audit"
expect_out "Checksum: $(sum eee5)"

run "$T/app" branches
expect_stdout <<'EOF'
aaa1 (branchpoint)
     -> bbb2
     -> ccc3 (audit)

EOF
run "$T/app" branches -v
expect_stdout <<EOF
Rev: aaa1 (branchpoint)
Parent: <base>
Branches into: bbb2, ccc3
Path: aaa1_x.sql
Checksum: $(sum aaa1)

    create users
    
    Revision ID: aaa1
    Revises: 
    Create Date: 2026-01-01 00:00:00

     -> bbb2, add role
     -> ccc3 (audit), create audit log

EOF

# show without a database: applied is unknown
run "$T/app" show audit@head
expect_status 0
expect_stdout <<EOF
Rev: eee5 (head)
Parent: ccc3
Branch names: audit
Path: eee5_x.sql
Checksum: $(sum eee5)
Reversible: no
Section: up, dialect any, transaction, line 7
Applied: unknown

    index audit log
    
    Revision ID: eee5
    Revises: ccc3
    Create Date: 2026-01-05 00:00:00

EOF
run "$T/app" show -1
expect_status 0
[ "$(grep '^Rev:' "$OUT")" = "Rev: bbb2
Rev: ccc3" ] || fail "show -1: the revisions one below each head"
run "$T/app" show base
expect_status 0
expect_stdout </dev/null

run "$T/app" sql ddd4
expect_status 0
expect_stdout <<'EOF'
-- ddd4 up (any, transaction:true) ddd4_x.sql:8
UPDATE users SET role = 'member';

-- ddd4 up (postgresql, transaction:false) ddd4_x.sql:11
UPDATE users SET role = 'member' WHERE role IS NULL;

EOF
run "$T/app" sql ddd4 --dialect=sqlite
expect_stdout <<'EOF'
-- ddd4 up (any, transaction:true) ddd4_x.sql:8
UPDATE users SET role = 'member';

EOF
run "$T/app" sql ddd4 --dialect postgresql
expect_stdout <<'EOF'
-- ddd4 up (postgresql, transaction:false) ddd4_x.sql:11
UPDATE users SET role = 'member' WHERE role IS NULL;

EOF
run "$T/app" sql ddd --down
expect_stdout <<'EOF'
-- ddd4 down (any, transaction:true) ddd4_x.sql:14
UPDATE users SET role = NULL;
EOF
# the output is valid SQL: the up sections of aaa1 and bbb2 run in sqlite3
{ "$T/app" sql aaa1; "$T/app" sql bbb2; } | sqlite3 "$T/check.db" ||
    fail "sql output does not run"
[ "$(sqlite3 "$T/check.db" "SELECT name FROM pragma_table_info('users') ORDER BY cid" | tr '\n' ' ')" = "id role " ] ||
    fail "sql output did not create users(id, role)"

# JSON
run "$T/app" history --format json
expect_status 0
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert [r["revision"] for r in d["revisions"]] == ["ddd4", "bbb2", "eee5", "ccc3", "aaa1"]; r = d["revisions"][2]; assert r["labels"] == ["audit"] and r["branch_labels"] == [] and r["is_current"] is None and r["reversible"] is False; a = d["revisions"][4]; assert a["children"] == ["bbb2", "ccc3"] and a["is_branch_point"]' "$OUT" ||
    fail "history JSON"
# every JSON output parses
for args in "history -v" "heads" "branches" "show heads" "show base" \
            "sql ddd4" "sql ddd4 --down --dialect sqlite" "history -r base:base"; do
    # shellcheck disable=SC2086
    run "$T/app" $args --format json
    expect_status 0
    /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUT" ||
        fail "$args --format json is not JSON"
done
run "$T/app" branches --format json
expect_out '"children": ["bbb2", "ccc3"], "is_head": false, "is_branch_point": true'
run "$T/app" heads --format json
expect_out '"revision": "eee5"'
run "$T/app" show ccc3 --format json
expect_out '"sections": [{"kind": "up", "dialect": "any", "transaction": true, "line": 8}, {"kind": "down", "dialect": "any", "transaction": true, "line": 11}], "applied": null}'
run "$T/app" sql ddd4 --dialect postgresql --format json
expect_out '"direction": "up", "sections": ['
expect_out '{"dialect": "postgresql", "transaction": false, "line": 11, "sql": "UPDATE users SET role = '"'member'"' WHERE role IS NULL;\n\n"}'

# ---- errors -------------------------------------------------------------

run "$T/app" history -r ccc3
expect_status 2
expect_err 'invalid range "ccc3": give START:END, START: or :END'
run "$T/app" history -r a:b:c
expect_status 2
expect_err 'invalid range "a:b:c"'
run "$T/app" history -r bbb2:ccc3
expect_status 2
expect_err "requested range bbb2:ccc3 does not refer to ancestor/descendant revisions along the same branch"
run "$T/app" history -r :-1
expect_status 2
expect_err '"-1" cannot be the upper end of a range'
run "$T/app" history -r -3:
expect_status 2
expect_err '"-3" goes below base'
run "$T/app" history -r -1:+1
expect_status 2
expect_err '"+1" is ambiguous: the lower end "-1" names 2 revisions (bbb2, ccc3)'
run "$T/app" history -r "$(printf '%0300d' 0):"
expect_status 2
expect_err "invalid range: longer than 255 characters"
run "$T/app" history -r nope:
expect_status 2
expect_err 'no such revision or branch "nope"'
run "$T/app" history -r aaa1:+1
expect_status 2
expect_err '"+1" is ambiguous: going up from aaa1 leads to bbb2, ccc3'
run "$T/app" show zzzz
expect_status 2
expect_err 'no such revision or branch "zzzz"'
run "$T/app" show
expect_status 2
expect_err '"show" needs REV'
run "$T/app" sql eee5 --down
expect_status 2
expect_err "eee5_x.sql: revision eee5 is irreversible: it has no down section"
[ ! -s "$OUT" ] || fail "an irreversible sql --down printed SQL"
run "$T/app" sql eee5 --down --dialect postgresql
expect_status 2
expect_err "revision eee5 is irreversible: it has no down section for postgresql"
run "$T/app" sql heads
expect_status 2
expect_err '"heads" names 2 revisions'
run "$T/app" sql ddd4 --dialect mysql
expect_status 2
expect_err 'unknown dialect "mysql": use postgresql or sqlite'
run "$T/app" sql ddd4 aaa1
expect_status 2
expect_err 'too many arguments for "sql"'
run "$T/app" heads --down
expect_status 2
expect_err "--down is for sql"
run "$T/app" current -r aaa1:
expect_status 2
expect_err "--rev-range is for history"
run "$T/app" heads -i
expect_status 2
expect_err "--indicate-current is for history"
run "$T/app" show aaa1 -v
expect_status 2
expect_err "--verbose is for current, history, heads and branches"
run "$T/app" sql ddd4 --dialect
expect_status 2
expect_err 'option "--dialect" needs a value'
# "current" needs a database
run "$T/app" show current
expect_status 2
expect_err '"current" needs the database'
run "$T/app" history -r current:
expect_status 2
expect_err "no database given"

# ---- with a database ----------------------------------------------------

run "$T/app" -d "$db" -q up bbb2
expect_status 0
run "$T/app" -d "$db" current
expect_stdout <<'EOF'
bbb2
EOF
run "$T/app" -d "$db" current -v
expect_status 0
expect_stdout <<EOF
Current revision(s) for $db:
Rev: bbb2
Parent: aaa1
Path: bbb2_x.sql
Checksum: $(sum bbb2)

    add role
    
    Revision ID: bbb2
    Revises: aaa1
    Create Date: 2026-01-02 00:00:00

EOF
run "$T/app" -d "$db" current --format json
expect_out '"is_head": false, "is_branch_point": false, "is_merge_point": false, "is_current": true, "applied_at": '
run "$T/app" -d "$db" history -i
expect_stdout <<'EOF'
bbb2 (ccc3) -> ddd4 (head), backfill roles
aaa1 -> bbb2 (current), add role
ccc3 -> eee5 (audit) (head), index audit log
aaa1 -> ccc3 (audit), create audit log
<base> -> aaa1 (branchpoint), create users
EOF
run "$T/app" -d "$db" history -r current:
expect_stdout <<'EOF'
bbb2 (ccc3) -> ddd4 (head), backfill roles
aaa1 -> bbb2, add role
EOF
run "$T/app" -d "$db" history -i -r :current --format json
expect_out '"revision": "bbb2"'
expect_out '"is_current": true'
expect_out '"is_current": false'
run "$T/app" -d "$db" show bbb
expect_out "Applied: yes"
run "$T/app" -d "$db" show ccc3
expect_out "Applied: no"
run "$T/app" -d "$db" show current
expect_out "Rev: bbb2"
run "$T/app" -d "$db" show ccc3 --format json
expect_out '"applied": false}'

# a merge with an empty up section
rm -r "$T/revs" # $T/app is built
revision mx01 "" "left" "SELECT 1;"
revision my01 "" "right" "SELECT 2;"
revision mz02 "mx01, my01" "merge" ""
make_app "$T/revs" "$T/mapp"
run "$T/mapp" sql mz02
expect_status 0
expect_stdout <<'EOF'
-- mz02 up (any, transaction:true) mz02_x.sql:7

EOF
run "$T/mapp" show mz02
expect_out "Rev: mz02 (head) (mergepoint)"
expect_out "Merges: mx01, my01"
run "$T/mapp" history
expect_stdout <<'EOF'
mx01, my01 -> mz02 (head) (mergepoint), merge
<base> -> mx01, left
<base> -> my01, right
EOF
echo "ok"

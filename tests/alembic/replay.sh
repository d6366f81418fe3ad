#!/usr/bin/env bash
# replay.sh GRAPH -- replay every step of a graph spec with app-migrate and
# compare each with what real Alembic did (tests/alembic/expected/NAME.expect,
# recorded by gen.py; README.md describes both formats).
#
# It writes one revision file per "rev" line of GRAPH, bundles and links
# them into $T/app, creates the table mb_order in a fresh database (SQLite,
# or PostgreSQL with MB_TEST_BACKEND=postgres) and runs the steps one after
# the other. After each step it compares:
#   - the exit status: 0 for "status ok"; 2 for "status error" and for a
#     step the spec marks !refuse ("refuse yes");
#   - the rows of migbundle_version with the "applied" line;
#   - the ids that "app-migrate current" prints with the "heads" line;
#   - the rows the step added to mb_order with the "ran" line: exactly for
#     "order fixed"; for "order any", the same rows in any order in which
#     each revision runs up after its ancestors and down before them.
# A failed or refused step must leave the version rows and mb_order as
# they were.
#
# Before the steps it runs the read commands the .expect records
# (history, heads, branches, and the graph's "read" lines) and compares
# the exit status and the text, with Alembic's set orders made canonical
# as gen.py does (labels, heads, the branches of a branch point sorted).
#
# It stops at the first mismatching step. With MB_REPLAY_KEEP_GOING=1 it
# reports every mismatching step: after one, it rebuilds the expected
# state in a fresh database (up to each expected head) and goes on.
#
# Environment (as ctest gives it to the cli tests): MIGBUNDLE, CC,
# MB_CFLAGS, MB_LIBS, MB_TEST_BACKEND, MB_PG_STATE.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../cli/lib.sh
. "$here/../cli/lib.sh"

[ $# = 1 ] || { echo "usage: replay.sh GRAPH" >&2; exit 2; }
graph=$1
name=$(basename "$graph" .graph)
expect=$(dirname "$graph")/../expected/$name.expect
[ -f "$graph" ] || fail "no graph file $graph"
[ -f "$expect" ] || fail "no expectations $expect (run gen.py, see README.md)"
keep_going=${MB_REPLAY_KEEP_GOING:-0}
regen="/usr/bin/python3 tests/alembic/gen.py $name.graph"

# --- the graph: revisions and steps ----------------------------------------

# $T/revs.txt: "ID REVISES DEPENDS LABELS", each a comma list or "-";
# $T/steps.txt: "COMMAND|refuse yes|no", one line per step;
# $T/reads.txt: the read commands, gen.py's defaults first
printf '%s\n' history heads branches >"$T/reads.txt"
awk -v revs="$T/revs.txt" -v steps="$T/steps.txt" -v reads="$T/reads.txt" '
    { sub(/#.*/, "") }
    $1 == "rev" {
        r = "-"; d = "-"; l = "-"
        for (i = 3; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] == "revises") r = kv[2]
            else if (kv[1] == "depends") d = kv[2]
            else if (kv[1] == "labels") l = kv[2]
        }
        print $2, r, d, l > revs
    }
    $1 == "step" {
        cmd = ""; refuse = "no"
        for (i = 2; i <= NF; i++) {
            if ($i == "!refuse") refuse = "yes"
            else cmd = cmd (cmd == "" ? "" : " ") $i
        }
        print cmd "|refuse " refuse > steps
    }
    $1 == "read" { $1 = ""; sub(/^ /, ""); print >> reads }' "$graph"
[ -s "$T/revs.txt" ] || fail "$graph has no revisions"

# "CHILD ANCESTOR" for every edge through Revises and Depends On
awk '{ n = split($2 "," $3, p, ","); for (i = 1; i <= n; i++)
           if (p[i] != "-" && p[i] != "") print $1, p[i] }' \
    "$T/revs.txt" >"$T/edges.txt"

# --- the expectations ------------------------------------------------------

declare -A E_CMD E_REFUSE E_STATUS E_ERROR E_APPLIED E_HEADS E_RAN E_ORDER
declare -A R_CMD R_STATUS R_OUT
nsteps=0
nreads=0
while IFS= read -r line; do
    key=${line%% *}
    rest=${line#"$key"}
    rest=${rest# }
    if [ "$key" = read ]; then
        nreads=$((nreads + 1))
        R_CMD[$nreads]=$rest
        R_OUT[$nreads]=""
        continue
    fi
    if [ "$nreads" -gt 0 ]; then # the block of a read command
        case $key in
        status) R_STATUS[$nreads]=$rest ;;
        \|) R_OUT[$nreads]+="$rest"$'\n' ;;
        esac
        continue
    fi
    case $key in
    step)
        nsteps=${rest%% *}
        E_CMD[$nsteps]=${rest#* } ;;
    refuse) E_REFUSE[$nsteps]=$rest ;;
    status) E_STATUS[$nsteps]=$rest ;;
    error) E_ERROR[$nsteps]=$rest ;;
    applied) E_APPLIED[$nsteps]=$rest ;;
    heads) E_HEADS[$nsteps]=$rest ;;
    ran) E_RAN[$nsteps]=$rest ;;
    order) E_ORDER[$nsteps]=$rest ;;
    esac
done <"$expect"

# the expectations must have been recorded from this graph's steps
for ((n = 1; n <= nsteps; n++)); do
    echo "${E_CMD[$n]}|refuse ${E_REFUSE[$n]}"
done >"$T/expect_steps.txt"
for ((n = 1; n <= nreads; n++)); do
    echo "${R_CMD[$n]}"
done >"$T/expect_reads.txt"
cmp -s "$T/steps.txt" "$T/expect_steps.txt" &&
    cmp -s "$T/reads.txt" "$T/expect_reads.txt" ||
    fail "$expect does not match the steps of $graph; regenerate it: $regen"

# --- the revision files and the executable ---------------------------------

# a comma list of the spec as the header writes it ("-": empty)
list() { [ "$1" = - ] || echo "${1//,/, }"; }
mkdir -p "$T/revs"
while read -r id revises depends labels; do
    {
        echo "-- revision $id"
        echo "--"
        echo "-- Revision ID: $id"
        echo "-- Revises: $(list "$revises")"
        echo "-- Create Date: 2026-01-01 00:00:00"
        echo "-- Branch Labels: $(list "$labels")"
        echo "-- Depends On: $(list "$depends")"
        echo
        echo "-- migrate:up"
        echo "INSERT INTO mb_order (rev, dir) VALUES ('$id', 'up');"
        echo
        echo "-- migrate:down"
        echo "INSERT INTO mb_order (rev, dir) VALUES ('$id', 'down');"
    } | sed 's/ *$//' >"$T/revs/$id.sql"
done <"$T/revs.txt"
make_app "$T/revs" "$T/app"

# --- the read commands -----------------------------------------------------

# canonical VERB: stdin with gen.py's normalisation (labels are printed
# sorted already; heads sorted, and the branches of each branch point)
canonical() {
    case $1 in
    heads) LC_ALL=C sort ;;
    branches) awk '/^$/ { n = 0 } { print (n++ ? 1 : 0) "\t" NR "\t" $0 }' |
        awk -F'\t' '{ blk += ($1 == 0); print blk "\t" $1 "\t" $3 }' |
        LC_ALL=C sort -t$'\t' -k1,1n -k2,2n -k3,3 | cut -f3- ;;
    *) cat ;;
    esac
}

for ((n = 1; n <= nreads; n++)); do
    read -ra args <<<"${R_CMD[$n]}"
    set +e
    "$T/app" "${args[@]}" >"$T/read.out" 2>"$T/read.err"
    status=$?
    set -e
    want=0
    [ "${R_STATUS[$n]}" = ok ] || want=2
    # both without trailing blanks and empty lines at the end
    got=$(canonical "${args[0]}" <"$T/read.out" | sed 's/ *$//')
    exp=$(printf '%s' "${R_OUT[$n]}")
    if [ "$status" != "$want" ] ||
       { [ "$want" = 0 ] && [ "$got" != "$exp" ]; }; then
        {
            if [ "$status" != "$want" ]; then
                echo "FAIL: graph $name: app-migrate ${R_CMD[$n]}: exit" \
                     "status $status, expected $want"
            else
                echo "FAIL: graph $name: app-migrate ${R_CMD[$n]}: the" \
                     "text differs from Alembic's (- Alembic, + app-migrate)"
            fi
            diff -u <(echo "$exp") <(echo "$got") || true
            sed 's/^/  stderr: /' "$T/read.err" | head -n 5
        } >&2
        exit 1
    fi
done

# --- the database ----------------------------------------------------------

fresh_db() {
    url=$(new_db "replay_$1")
    if [ "$MB_TEST_BACKEND" = postgres ]; then
        sql "$url" "CREATE TABLE mb_order (seq serial PRIMARY KEY,
                    rev TEXT, dir TEXT)"
    else
        sql "$url" "CREATE TABLE mb_order (seq INTEGER PRIMARY KEY
                    AUTOINCREMENT, rev TEXT, dir TEXT)"
    fi
}

# words on stdin -> one sorted line, "-" when there are none
words() {
    local w
    w=$(tr ' ' '\n' | { grep -v '^-\?$' || true; } | LC_ALL=C sort |
        tr '\n' ' ')
    w=${w% }
    echo "${w:--}"
}

version_rows() {
    local q
    if [ "$MB_TEST_BACKEND" = postgres ]; then
        q="SELECT count(*) FROM pg_tables WHERE tablename = 'migbundle_version'
           AND schemaname = current_schema()"
    else
        q="SELECT count(*) FROM sqlite_master WHERE type = 'table'
           AND name = 'migbundle_version'"
    fi
    if [ "$(sql "$url" "$q")" = 1 ]; then
        sql "$url" "SELECT revision FROM migbundle_version" | words
    else
        echo -
    fi
}

last_seq() {
    sql "$url" "SELECT coalesce(max(seq), 0) FROM mb_order"
}

# the mb_order rows after seq $1, as "rev:dir" words in run order
ran_since() {
    local r
    r=$(sql "$url" "SELECT rev || ':' || dir FROM mb_order WHERE seq > $1
                    ORDER BY seq" | tr '\n' ' ')
    r=${r% }
    echo "${r:--}"
}

current_heads() {
    if "$T/app" -q -d "$url" current >"$T/current.out" 2>"$T/current.err"; then
        awk '{ print $1 }' "$T/current.out" | words
    else
        echo "(current failed: $(head -n 1 "$T/current.err"))"
    fi
}

# order_ok EXPECTED GOT: GOT holds the same rows as EXPECTED, in an order
# where every "up" comes after the "up"s of its ancestors (through Revises
# and Depends On) and every "down" before the "down"s of its ancestors
order_ok() {
    [ "$(echo "$1" | words)" = "$(echo "$2" | words)" ] || return 1
    echo "$2" | awk -v edges="$T/edges.txt" '
        BEGIN { while ((getline line < edges) > 0) {
                    split(line, e, " "); anc[e[1]] = anc[e[1]] " " e[2] } }
        {
            for (i = 1; i <= NF; i++) { split($i, rd, ":"); pos[$i] = i
                                        rev[i] = rd[1]; dir[i] = rd[2] }
            # every ancestor of each revision, through the edges
            for (i = 1; i <= NF; i++) {
                delete seen; todo = anc[rev[i]]; all = ""
                while (split(todo, t, " ") > 0) {
                    todo = ""
                    for (k in t) if (!(t[k] in seen)) {
                        seen[t[k]] = 1; all = all " " t[k]
                        todo = todo " " anc[t[k]]
                    }
                }
                n = split(all, a, " ")
                for (k = 1; k <= n; k++) {
                    other = a[k] ":" dir[i]
                    if (!(other in pos)) continue
                    if (dir[i] == "up" && pos[other] > i) bad = 1
                    if (dir[i] == "down" && pos[other] < i) bad = 1
                }
            }
        }
        END { exit bad }'
}

# --- the steps -------------------------------------------------------------

failures=0
problems=""
mismatch() { # mismatch WHAT EXPECTED GOT
    problems="$problems
  $1: expected $2, got $3"
}

# rebuild, in a fresh database, the state whose applied heads are $1
resync() {
    local h
    fresh_db "resync_$2"
    for h in $1; do
        [ "$h" = - ] && continue
        "$T/app" -q -d "$url" up "$h" >"$T/resync.out" 2>&1 ||
            fail "graph $name: cannot rebuild the state after step $2" \
                 "(up $h): $(cat "$T/resync.out")"
    done
}

fresh_db main
for ((n = 1; n <= nsteps; n++)); do
    read -ra args <<<"${E_CMD[$n]}"
    refused=no
    if [ "${E_REFUSE[$n]}" = yes ] || [ "${E_STATUS[$n]}" = error ]; then
        refused=yes
    fi
    before=$(version_rows)
    seq=$(last_seq)

    set +e
    "$T/app" -q -d "$url" "${args[@]}" >"$T/step.out" 2>"$T/step.err"
    status=$?
    set -e

    rows=$(version_rows)
    heads=$(current_heads)
    ran=$(ran_since "$seq")
    want_status=0
    [ $refused = yes ] && want_status=2

    problems=""
    [ "$status" = "$want_status" ] ||
        mismatch "exit status" "$want_status" "$status"
    [ "$rows" = "${E_APPLIED[$n]}" ] ||
        mismatch "migbundle_version rows" "${E_APPLIED[$n]}" "$rows"
    [ "$heads" = "${E_HEADS[$n]}" ] ||
        mismatch "current (applied heads)" "${E_HEADS[$n]}" "$heads"
    if [ $refused = yes ]; then
        [ "$rows" = "$before" ] ||
            mismatch "version rows unchanged" "$before" "$rows"
        [ "$ran" = - ] || mismatch "nothing run" "-" "$ran"
    elif [ "${E_ORDER[$n]}" = any ]; then
        order_ok "${E_RAN[$n]}" "$ran" ||
            mismatch "revisions run (in any dependency order)" \
                "${E_RAN[$n]}" "$ran"
    else
        [ "$ran" = "${E_RAN[$n]}" ] ||
            mismatch "revisions run" "${E_RAN[$n]}" "$ran"
    fi

    if [ -n "$problems" ]; then
        failures=$((failures + 1))
        {
            echo "FAIL: graph $name, step $n: app-migrate ${E_CMD[$n]}$problems"
            if [ "${E_REFUSE[$n]}" = yes ]; then
                echo "  (app-migrate refuses this on purpose; Alembic ran:" \
                     "${E_RAN[$n]})"
            elif [ "${E_STATUS[$n]}" = error ]; then
                echo "  (Alembic fails it: ${E_ERROR[$n]})"
            fi
            if [ -s "$T/step.err" ]; then
                sed 's/^/  stderr: /' "$T/step.err" | head -n 5
            fi
        } >&2
        [ "$keep_going" = 1 ] || exit 1
        resync "${E_HEADS[$n]}" "$n"
    fi
done

if [ "$failures" -gt 0 ]; then
    echo "graph $name: $failures of $nsteps steps do not match Alembic" >&2
    exit 1
fi
echo "graph $name: all $nsteps steps and $nreads read commands match Alembic"

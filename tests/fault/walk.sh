#!/usr/bin/env bash
# walk.sh -- crash, fail and starve app-migrate at every fault point, and
# prove after each that the database is consistent and the next run
# recovers.
#
#   walk.sh [--long]      MB_TEST_BACKEND=sqlite|postgres (ctest sets it)
#
# Needs an app-migrate runtime built with MIGBUNDLE_FAULT_INJECTION
# (mb/fault.h). Ten revisions, each creating its table t01..t10 in three
# statements; r05's sections are transaction:false (two tables, t05 and
# t05b). Two scenarios: `up` from an empty database, `down base` from
# head. For each, a traced run counts the passes through every point;
# then, for each pass N of each point P, on a fresh copy of the start
# state:
#
#   kill   MB_FAULT=P:N        SIGKILL there
#   fail   MB_FAULT=P:N:fail   the call fails (I/O error at io_* points)
#   oom    MB_FAULT=alloc:N:fail  the N-th allocation returns NULL
#
# and then checks:
#   - the faulted run died by SIGKILL (kill) or exited 0 or 1 (fail, oom)
#     with an error that says what failed; no sanitizer report;
#   - the invariant: every revision's table exists iff its version row
#     does (for r05, both tables), except r05 while its transaction:false
#     section is unresolved (latest log row `started` or `incomplete`);
#   - `up` again finishes at head (exit 0), or refuses (exit 3) naming
#     `resolve` for an unresolved r05; the walk then settles r05 by hand
#     as an operator would, runs `up` again and expects head;
#   - the invariant again.
#
# The short form (the default, for CI) tries the first, the middle and the
# last pass of every point, and 40 allocations spread over the run; the
# long form tries every pass. With MB_FAULT_VALGRIND=1 the allocation
# failures run under valgrind, which must report no error and no leak;
# MB_FAULT_POINTS="alloc commit ..." walks only the points named.
# Prints one line per scenario and the totals.
. "$(dirname "$0")/../cli/lib.sh"

long=0
[ "${1:-}" = --long ] && long=1
[ "${MB_FAULT_LONG:-0}" = 1 ] && long=1
B=$MB_TEST_BACKEND

revs=(r01 r02 r03 r04 r05 r06 r07 r08 r09 r10)
mkdir -p "$T/revs"
prev=""
for r in "${revs[@]}"; do
    t=t${r#r}
    if [ "$r" = r05 ]; then
        cat >"$T/revs/${r}_x.sql" <<EOF
-- $r, outside a transaction
--
-- Revision ID: $r
-- Revises: $prev

-- migrate:up transaction:false
CREATE TABLE $t (x INTEGER);
INSERT INTO $t VALUES (5);
CREATE TABLE ${t}b (x INTEGER);

-- migrate:down transaction:false
DROP TABLE ${t}b;
DROP TABLE $t;
EOF
    else
        revision "$r" "$prev" "$r" "CREATE TABLE $t (x INTEGER);
INSERT INTO $t VALUES (${r#r});
CREATE INDEX ix_$t ON $t (x);" "DROP INDEX ix_$t;
DROP TABLE $t;"
    fi
    prev=$r
done
make_app "$T/revs" "$T/app"
if ! fault_build "$T/app"; then
    echo "skipped: app-migrate was built without MIGBUNDLE_FAULT_INJECTION"
    exit 77
fi

# --- databases -------------------------------------------------------------
# make_template NAME STATE: a start state (empty or head) to copy from
# fresh DEST TEMPLATE: a new database equal to the template; prints its URL
if [ "$B" = sqlite ]; then
    make_template() {
        rm -f "$T/$1.db"
        if [ "$2" = head ]; then "$T/app" -q -d "sqlite:$T/$1.db" up; fi
    }
    fresh() {
        rm -f "$T/$1.db" "$T/$1.db-journal"
        if [ -f "$T/$2.db" ]; then cp "$T/$2.db" "$T/$1.db"; fi
        echo "sqlite:$T/$1.db"
    }
    drop() { rm -f "${1#sqlite:}" "${1#sqlite:}-journal"; }
else
    make_template() {
        local url
        url=$(new_db "$1")
        if [ "$2" = head ]; then "$T/app" -q -d "$url" up; fi
        echo "$url" >"$T/$1.url"
    }
    fresh() {
        local name="t_$$_${RANDOM}_$1"
        createdb -T "$(pg_name "$(cat "$T/$2.url")")" "$name" ||
            fail "createdb $name failed"
        echo "$name" >>"$T/pg_databases"
        echo "postgresql:///$name?host=$MB_PG_SOCKET&port=$MB_PG_PORT&user=$MB_PG_USER"
    }
    drop() { dropdb --if-exists --force "$(pg_name "$1")" >/dev/null 2>&1 || true; }
fi

# state URL: the database as lines "table NAME" (user tables and ours),
# "row REV" (version rows) and "open REV DIRECTION" (unresolved sections)
if [ "$B" = sqlite ]; then
    state() {
        local f=${1#sqlite:}
        [ -f "$f" ] || return 0
        sqlite3 "$f" "SELECT 'table ' || name FROM sqlite_master WHERE type = 'table'" >"$T/state"
        if grep -qx "table migbundle_log" "$T/state"; then
            sqlite3 "$f" "SELECT 'row ' || revision FROM migbundle_version;
                SELECT 'open ' || revision || ' ' || direction FROM migbundle_log
                 WHERE id IN (SELECT max(id) FROM migbundle_log GROUP BY revision)
                   AND outcome IN ('started', 'incomplete')" >>"$T/state"
        fi
        cat "$T/state"
    }
else
    state() {
        sql "$1" "SELECT 'table ' || tablename FROM pg_tables WHERE schemaname = 'public'" >"$T/state"
        if grep -qx "table migbundle_log" "$T/state"; then
            sql "$1" "SELECT 'row ' || revision FROM migbundle_version UNION ALL
                SELECT 'open ' || revision || ' ' || direction FROM migbundle_log
                 WHERE id IN (SELECT max(id) FROM migbundle_log GROUP BY revision)
                   AND outcome IN ('started', 'incomplete')" >>"$T/state"
        fi
        cat "$T/state"
    }
fi

# version_rows URL / unresolved URL: parts of state
version_rows() { state "$1" | sed -n 's/^row //p' | sort; }
unresolved() { state "$1" | sed -n 's/^open //p'; }

# invariant URL WHAT [head]: each revision's table exists iff its row does;
# with head, every revision is applied
invariant() {
    local url=$1 what=$2 rows tabs open r t row tab
    state "$url" >"$T/inv"
    rows=" $(sed -n 's/^row //p' "$T/inv" | sort | tr '\n' ' ')"
    tabs=" $(sed -n 's/^table //p' "$T/inv" | tr '\n' ' ')"
    open=$(sed -n 's/^open //p' "$T/inv")
    if [ "${3:-}" = head ] && [ "$rows" != " ${revs[*]} " ]; then
        fail "$what: not at head:$rows"
    fi
    for r in "${revs[@]}"; do
        t=t${r#r}
        row=0; tab=0
        [[ "$rows" == *" $r "* ]] && row=1
        if [ "$r" = r05 ]; then
            [[ "$tabs" == *" $t "* && "$tabs" == *" ${t}b "* ]] && tab=1
            [[ -n "$open" && "$open" == r05* ]] && continue
        else
            [[ "$tabs" == *" $t "* ]] && tab=1
        fi
        [ "$row" = "$tab" ] ||
            fail "$what: $r has version row $row but its table(s) $tab (rows:$rows tables:$tabs)"
    done
}

# settle URL: as an operator, finish or undo r05's section, then resolve
settle() {
    local url=$1 dir
    dir=$(unresolved "$url" | awk '$1 == "r05" {print $2}')
    [ -n "$dir" ] || fail "settle: nothing unresolved"
    # either way the tables go: undo an up section, finish a down one
    sql "$url" "DROP TABLE IF EXISTS t05b" >/dev/null
    sql "$url" "DROP TABLE IF EXISTS t05" >/dev/null
    "$T/app" -q -d "$url" resolve r05 "$([ "$dir" = up ] && echo --rolled-back || echo --applied)" \
        >"$T/settle.out" 2>&1 || { cat "$T/settle.out"; fail "resolve r05 failed"; }
}

sanitizers_quiet() {
    ! grep -q -e "AddressSanitizer" -e "LeakSanitizer" -e "runtime error:" "$1"
}

trials=0; kills=0; fails=0; ooms=0; refusals=0
# trial SCENARIO START CMD POINT N ACTION
trial() {
    local scen=$1 start=$2 cmd=$3 point=$4 n=$5 action=$6 url st what
    what="$B $scen $point:$n:$action"
    url=$(fresh trial "$start")
    local under=()
    if [ "${MB_FAULT_VALGRIND:-0}" = 1 ] && [ "$point" = alloc ]; then
        under=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
               --error-exitcode=99 --child-silent-after-fork=yes)
    fi
    set +e
    # (braces: bash's "Killed" note for the SIGKILL goes nowhere)
    # shellcheck disable=SC2086
    { MB_FAULT="$point:$n:$action" "${under[@]}" "$T/app" -d "$url" $cmd \
          >"$T/f.out" 2>"$T/f.err"; st=$?; } 2>/dev/null
    set -e
    sanitizers_quiet "$T/f.err" || { cat "$T/f.err"; fail "$what: sanitizer report"; }
    case $action:$st in
        kill:137) kills=$((kills + 1)) ;;
        kill:0) ;;  # the pass did not come (the run took another path)
        fail:1)
            fails=$((fails + 1))
            if [ "$point" = alloc ]; then
                ooms=$((ooms + 1))
                grep -q "out of memory" "$T/f.err" ||
                    { cat "$T/f.err"; fail "$what: exit 1 without saying out of memory"; }
            else
                grep -q -e "injected failure at fault point \"$point\"" \
                        -e "disk I/O error" -e "I/O error" "$T/f.err" ||
                    { cat "$T/f.err"; fail "$what: exit 1 without the cause"; }
            fi ;;
        fail:0) ;;  # a failure the run survived (SQLite retries some)
        *) cat "$T/f.err"; fail "$what: exit status $st" ;;
    esac
    invariant "$url" "$what (after the fault)"
    # the next run recovers
    set +e
    "$T/app" -q -d "$url" up >"$T/r.out" 2>"$T/r.err"
    st=$?
    set -e
    sanitizers_quiet "$T/r.err" || { cat "$T/r.err"; fail "$what: sanitizer report in the rerun"; }
    if [ "$st" = 3 ]; then
        grep -q "resolve" "$T/r.err" || { cat "$T/r.err"; fail "$what: exit 3 without naming resolve"; }
        unresolved "$url" | grep -q "^r05 " ||
            { cat "$T/r.err"; fail "$what: exit 3 but r05 is not unresolved"; }
        refusals=$((refusals + 1))
        settle "$url"
        set +e
        "$T/app" -q -d "$url" up >"$T/r.out" 2>"$T/r.err"
        st=$?
        set -e
    fi
    [ "$st" = 0 ] || { cat "$T/r.err"; fail "$what: the rerun exited $st"; }
    invariant "$url" "$what (after the rerun)" head
    drop "$url"
    trials=$((trials + 1))
}

# passes N: the pass numbers to try out of N
passes() {
    local n=$1
    if [ "$long" = 1 ] || [ "$n" -le 3 ]; then seq 1 "$n"; return; fi
    printf '%s\n' 1 $(((n + 1) / 2)) "$n"
}

# alloc_passes N: 40 allocations spread over N (all of them when long)
alloc_passes() {
    local n=$1 step
    if [ "$long" = 1 ] || [ "$n" -le 40 ]; then seq 1 "$n"; return; fi
    step=$((n / 40))
    seq 1 "$step" "$n"
}

make_template empty empty
make_template head head

for scen in up down; do
    if [ "$scen" = up ]; then start=empty; cmd=up; else start=head; cmd="down base"; fi
    url=$(fresh trace "$start")
    rm -f "$T/trace"
    # shellcheck disable=SC2086
    MB_FAULT_TRACE="$T/trace" "$T/app" -q -d "$url" $cmd ||
        fail "the traced $scen run failed"
    drop "$url"
    sort "$T/trace" | uniq -c >"$T/counts.$scen"
    before=$trials
    while read -r count point; do
        if [ -n "${MB_FAULT_POINTS:-}" ] &&
           [[ " $MB_FAULT_POINTS " != *" $point "* ]]; then
            continue
        fi
        if [ "$point" = alloc ]; then
            for n in $(alloc_passes "$count"); do
                trial "$scen" "$start" "$cmd" alloc "$n" fail
            done
            continue
        fi
        for n in $(passes "$count"); do
            trial "$scen" "$start" "$cmd" "$point" "$n" kill
            trial "$scen" "$start" "$cmd" "$point" "$n" fail
        done
    done <"$T/counts.$scen"
    echo "$B $scen: $((trials - before)) trials over $(wc -l <"$T/counts.$scen") points ($(tr -s ' ' <"$T/counts.$scen" | sed 's/^ //' | awk '{printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1}'))"
done
echo "$B: $trials trials ($([ "$long" = 1 ] && echo long || echo short) form): $kills crashes, $fails failures ($ooms of them allocations), $refusals refusals settled with resolve"
echo "ok"

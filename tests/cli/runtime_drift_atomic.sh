#!/usr/bin/env bash
# runtime_drift_atomic.sh -- the schema fingerprint commits with the run's
# last transaction (cli.md, "Schema drift"): a run killed or failed at any
# moment leaves the database either at its target with the fingerprint of
# the target's heads, or short of it without that fingerprint; never the
# version rows of the target without their fingerprint.
#
# Needs an app-migrate runtime built with MIGBUNDLE_FAULT_INJECTION
# (mb/fault.h); exit 77 (skipped) otherwise. Three revisions: a1 and b2
# transactional, c3 transaction:false. Scenarios, each from a copy of its
# start state: up to b2 (per revision, one group, --single-transaction),
# up to c3 (the last step transaction:false, its version row in a
# bookkeeping transaction), down to base, stamp a1. A traced run lists
# the passes through the fault points; then, for each pass (below), a run
# killed there (SIGKILL) and a run failing there, each followed by the
# check:
#
#   the version rows are the target's  <=>  the latest fingerprint is at
#                                           the target's heads
#
# The one allowed exception is a failure inside the fingerprint's own
# savepoint: the run warns "the schema fingerprint was not recorded",
# exits 0 and the revisions stay applied (the documented contract).
#
# Passes: from the last BEGIN or section sent to the end of the run (the
# run's last transaction and what follows) every pass, except that of a
# run of consecutive passes through one point (the snapshot's catalog
# queries) only the first two and the last two; before it the first pass
# of each point, and all of a point passed three times or less.
# Allocations are left to the fault walk.
# The long form (runtime_drift_atomic.sh --long, or MB_FAULT_LONG=1)
# tries every pass.
. "$(dirname "$0")/lib.sh"

B=$MB_TEST_BACKEND
long=0
[ "${1:-}" = --long ] && long=1
[ "${MB_FAULT_LONG:-0}" = 1 ] && long=1
revision a1 "" "one" "CREATE TABLE t1 (id INTEGER);
CREATE INDEX ix_t1 ON t1 (id);" "DROP TABLE t1;"
revision b2 a1 "two" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
cat >"$T/revs/c3_x.sql" <<'EOF'
-- three, outside a transaction
--
-- Revision ID: c3
-- Revises: b2

-- migrate:up transaction:false
CREATE TABLE t3 (id INTEGER);
CREATE INDEX ix_t3 ON t3 (id);

-- migrate:down transaction:false
DROP TABLE t3;
EOF
make_app "$T/revs" "$T/app"
if ! fault_build "$T/app"; then
    echo "skipped: app-migrate was built without MIGBUNDLE_FAULT_INJECTION"
    exit 77
fi

# template NAME CMD...: a start state made by running CMD (none: empty)
# fresh TEMPLATE: a database in that state; prints its URL
# drop URL: done with it
# tables URL: which of migbundle_version and migbundle_schema exist
# rows_q, heads_q: the query of the version rows (space-separated, in
# byte order) and of the latest fingerprint's heads
if [ "$B" = sqlite ]; then
    template() {
        local name=$1
        shift
        rm -f "$T/$name.db"
        if [ $# -gt 0 ]; then "$T/app" -q -d "sqlite:$T/$name.db" "$@"; fi
    }
    fresh() {
        rm -f "$T/trial.db" "$T/trial.db-journal"
        if [ -f "$T/$1.db" ]; then cp "$T/$1.db" "$T/trial.db"; fi
        echo "sqlite:$T/trial.db"
    }
    drop() { rm -f "${1#sqlite:}" "${1#sqlite:}-journal"; }
    tables() {
        [ ! -f "${1#sqlite:}" ] ||
            sql "$1" "SELECT name FROM sqlite_master WHERE type = 'table'"
    }
    rows_q="SELECT group_concat(revision, ' ') FROM (SELECT revision FROM migbundle_version ORDER BY revision)"
else
    # one database, its public schema emptied for each trial (cheaper
    # than a database copied from a template), then the start state run
    trial_db=$(new_db trial)
    template() {
        local name=$1
        shift
        echo "$*" >"$T/$name.cmd"
    }
    fresh() {
        local cmd
        sql "$trial_db" "SET client_min_messages = warning;
            DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
        cmd=$(cat "$T/$1.cmd")
        # shellcheck disable=SC2086
        if [ -n "$cmd" ]; then "$T/app" -q -d "$trial_db" $cmd; fi
        echo "$trial_db"
    }
    drop() { :; }
    tables() { sql "$1" "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"; }
    rows_q="SELECT string_agg(revision, ' ' ORDER BY revision COLLATE \"C\") FROM migbundle_version"
fi
heads_q="SELECT heads FROM migbundle_schema ORDER BY id DESC LIMIT 1"

# state URL: "ROWS|HEADS", the version rows and the latest fingerprint's
# heads ("none" without one)
state() {
    local t v="''" h="'none'"
    t=" $(tables "$1" | tr '\n' ' ')"
    [[ "$t" != *" migbundle_version "* ]] || v="coalesce(($rows_q), '')"
    [[ "$t" != *" migbundle_schema "* ]] || h="coalesce(($heads_q), 'none')"
    sql "$1" "SELECT $v || '|' || $h"
}

trials=0; kills=0; fails=0; warned=0
# trial START TARGET_ROWS TARGET_HEADS POINT N ACTION CMD...
trial() {
    local start=$1 want=$2 heads=$3 point=$4 n=$5 action=$6 url st now got fp what
    shift 6
    what="$B $* at $point:$n:$action"
    url=$(fresh "$start")
    set +e
    # (braces: bash's "Killed" note for the SIGKILL goes nowhere)
    { MB_FAULT="$point:$n:$action" "$T/app" -d "$url" "$@" \
          >"$T/f.out" 2>"$T/f.err"; st=$?; } 2>/dev/null
    set -e
    case $action:$st in
        kill:137) kills=$((kills + 1)) ;;
        fail:1) fails=$((fails + 1)) ;;
        *:0) ;;
        *) cat "$T/f.err"; fail "$what: exit status $st" ;;
    esac
    now=$(state "$url")
    got=${now%|*}
    fp=${now#*|}
    if [ "$got" = "$want" ] && [ "$fp" != "$heads" ]; then
        # a failure to record is a warning; the run stands without it
        [ "$action:$st" = fail:0 ] &&
            grep -q -e "warning: the schema fingerprint was not recorded: .*injected failure at fault point \"$point\"" \
                    -e "warning: the schema fingerprint was not recorded: .*I/O error" "$T/f.err" ||
            { cat "$T/f.err"; fail "$what: at the target ($got) without its fingerprint (latest: $fp)"; }
        warned=$((warned + 1))
    elif [ "$got" != "$want" ] && [ "$fp" = "$heads" ]; then
        cat "$T/f.err"
        fail "$what: the fingerprint of $heads recorded, but the rows are \"$got\""
    fi
    drop "$url"
    trials=$((trials + 1))
}

# scenario START TARGET_ROWS TARGET_HEADS CMD...: every pass of every point
scenario() {
    local start=$1 want=$2 heads=$3 url count point n before=$trials
    shift 3
    url=$(fresh "$start")
    rm -f "$T/trace"
    MB_FAULT_TRACE="$T/trace" "$T/app" -q -d "$url" "$@" ||
        fail "the traced run of $* failed"
    [ "$(state "$url")" = "$want|$heads" ] ||
        fail "$*: rows and fingerprint: $(state "$url")"
    drop "$url"
    # the trace is in time order: POINT N for each pass, alloc left out;
    # all of them in the long form, else every pass from the last BEGIN
    # or section sent on (the run's last transaction and what follows)
    # and, before it, the first pass of each point and every pass of a
    # point passed three times or less
    awk -v long="$long" '
        $1 != "alloc" {
            k++; p[k] = $1; n[k] = ++seen[$1]
            run[k] = k > 1 && p[k - 1] == $1 ? run[k - 1] + 1 : 1
        }
        $1 == "begin" || $1 == "stmt" { last = k }
        END {
            for (i = k; i >= 1; i--) # passes after i in its run
                left[i] = i < k && p[i + 1] == p[i] ? left[i + 1] + 1 : 0
            for (i = 1; i <= k; i++)
                if (long || n[i] == 1 || seen[p[i]] <= 3 ||
                    (i >= last && (run[i] <= 2 || left[i] < 2)))
                    print p[i], n[i]
        }' "$T/trace" >"$T/passes"
    while read -r point n; do
        trial "$start" "$want" "$heads" "$point" "$n" kill "$@"
        case $point in
            sent | result | rollback) ;; # these can only crash (mb/fault.h)
            *) trial "$start" "$want" "$heads" "$point" "$n" fail "$@" ;;
        esac
    done <"$T/passes"
    echo "$B $*: $((trials - before)) trials"
}

template empty
template at_b2 up b2

scenario empty "a1 b2" b2 up b2
scenario empty "a1 b2" b2 up b2 --single-transaction
if [ "$B" = sqlite ]; then # PostgreSQL has no groups: the same run again
    scenario empty "a1 b2" b2 up b2 --group-commit 0
fi
scenario at_b2 "a1 b2 c3" c3 up c3
scenario at_b2 "" "" down base
scenario at_b2 "a1" a1 stamp a1
[ "$warned" -gt 0 ] || fail "no trial failed inside the fingerprint's savepoint"
echo "$B: $trials trials: $kills crashes, $fails failures, $warned fingerprints not recorded (warned)"
echo ok

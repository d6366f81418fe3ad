#!/usr/bin/env bash
# pg.sh -- app-migrate on PostgreSQL against psql, in one run, on one
# throwaway local server (tests/integration/pg_server.sh, unix socket).
#
# A benchmark to run on demand, never part of the test suite. With N
# (default 1000) tiny linear revisions:
#   1. no-op `app-migrate up` at head (full verification) against psql
#      selecting the same 1000-row version table (target ratio <= 1.0);
#   2. `app-migrate up` from empty against `psql -1 -f` of the
#      concatenated up sections: per-revision transactions (target
#      <= 1.25x) and --single-transaction (target <= 1.05x).
# It prints the measured figures next to the targets and does not fail
# when one is missed. Build first with scripts/sample.sh (Release).
. "$(dirname "$0")/lib.sh"
bench_setup pg.sh
FRESH_RUNS=${FRESH_RUNS:-5}

say "starting a throwaway PostgreSQL server"
"$root/tests/integration/pg_server.sh" start "$tmp/pg" >/dev/null
bench_cleanup() { "$root/tests/integration/pg_server.sh" stop "$tmp/pg" >/dev/null 2>&1 || true; }
# shellcheck disable=SC1091
. "$tmp/pg/env"
export PGHOST=$MB_PG_SOCKET PGPORT=$MB_PG_PORT PGUSER=$MB_PG_USER
url() { echo "postgresql:///$1?host=$MB_PG_SOCKET&port=$MB_PG_PORT&user=$MB_PG_USER"; }
fresh() { dropdb --if-exists --force "$1"; createdb "$1"; }

say "generating, bundling and compiling $N revisions"
bench_revisions "$tmp/migrations" "$N"
bench_app "$tmp/migrations" "$tmp/app-migrate"
for f in "$tmp"/migrations/*.sql; do
    sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$f" | sed '1d;$d'
done >"$tmp/all_up.sql"
cd "$tmp"

# --- 1. no-op at head --------------------------------------------------------
fresh noop
./app-migrate -q -d "$(url noop)" up || die "app-migrate up failed"
rows=$(psql -XAtd noop -c 'SELECT count(*) FROM migbundle_version')
[ "$rows" = "$N" ] || die "migbundle_version has $rows rows, expected $N"
say "timing the no-op"
noop_ms=$(bench_mean_ms app ./app-migrate -q -d "$(url noop)" up)
floor_ms=$(bench_mean_ms psql psql -XAtd noop -c 'SELECT revision, checksum FROM migbundle_version')
noop_kib=$(bench_peak_kib ./app-migrate -q -d "$(url noop)" up)

# --- 2. up from empty ----------------------------------------------------------
# mean_fresh NAME CMD...: mean ms over FRESH_RUNS runs, each on a new database
# named NAME (created and dropped outside the timing); @DB@ in CMD is the URL.
mean_fresh() {
    local name=$1 i t0 t1 total=0
    shift
    for ((i = 0; i < FRESH_RUNS; i++)); do
        fresh "$name"
        local cmd=() arg
        for arg in "$@"; do # (not ${@//...}: bash 5.2 expands & there)
            [ "$arg" = @DB@ ] && arg=$(url "$name")
            cmd+=("$arg")
        done
        t0=$(date +%s%N)
        "${cmd[@]}" >/dev/null 2>&1 || die "failed: ${cmd[*]}"
        t1=$(date +%s%N)
        total=$((total + t1 - t0))
    done
    awk -v ns="$total" -v n="$FRESH_RUNS" 'BEGIN { printf "%.1f", ns / n / 1e6 }'
}
say "timing up from empty ($FRESH_RUNS runs each)"
psql_ms=$(mean_fresh f1 psql -X -q -v ON_ERROR_STOP=1 -1 -f all_up.sql -d @DB@)
each_ms=$(mean_fresh f2 ./app-migrate -q -d @DB@ up)
single_ms=$(mean_fresh f3 ./app-migrate -q -d @DB@ up --single-transaction)

awk -v n="$N" -v method="$(bench_method)" -v fr="$FRESH_RUNS" \
    -v nm="$noop_ms" -v fm="$floor_ms" -v nk="$noop_kib" \
    -v pm="$psql_ms" -v em="$each_ms" -v sm="$single_ms" '
function yn(ok) { return ok ? "yes" : "NO" }
BEGIN {
    printf "\nPostgreSQL, %d revisions, local server on a unix socket\n", n
    printf "no-op timing: %s; from empty: mean of %d runs\n\n", method, fr
    printf "%-44s %10s\n", "", "mean (ms)"
    printf "%-44s %10.3f\n", "app-migrate up at head (no-op)", nm
    printf "%-44s %10.3f\n", "psql SELECT version table (floor)", fm
    printf "%-44s %10.1f\n", "psql -1 -f all up sections (floor)", pm
    printf "%-44s %10.1f\n", "app-migrate up from empty", em
    printf "%-44s %10.1f\n", "app-migrate up --single-transaction", sm
    printf "\n%-36s %9s %9s %5s\n", "", "measured", "target", "met"
    printf "%-36s %9.2f %9s %5s\n", "no-op / psql select", nm / fm, "<= 1.00", yn(nm <= fm)
    printf "%-36s %9.2f %9s %5s\n", "up (per revision) / psql -1 -f", em / pm, "<= 1.25", yn(em <= 1.25 * pm)
    printf "%-36s %9.2f %9s %5s\n", "up --single-transaction / psql -1", sm / pm, "<= 1.05", yn(sm <= 1.05 * pm)
    printf "%-36s %9.1f\n", "no-op peak RSS (MiB)", nk / 1024
}'

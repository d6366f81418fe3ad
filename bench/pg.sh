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
#      <= 1.25x) and --single-transaction (target <= 1.05x);
#   3. `app-migrate down -DOWN_N` (default 100) from head against
#      `psql -1 -f` of those down sections (target <= 1.3x).
# It prints the measured figures next to the targets and does not fail
# when one is missed. Build first with scripts/sample.sh (Release).
. "$(dirname "$0")/lib.sh"
bench_setup pg.sh
DOWN_N=${DOWN_N:-100}

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
bench_sections up "$tmp/migrations" >"$tmp/all_up.sql"
bench_sections down "$tmp/migrations" "$DOWN_N" >"$tmp/last_down.sql"
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

# --- 2. up from empty; 3. down from head ------------------------------------
say "timing up from empty ($FRESH runs each)"
psql_ms=$(bench_mean_fresh "fresh f1" psql -X -q -v ON_ERROR_STOP=1 -1 -f all_up.sql -d f1)
each_ms=$(bench_mean_fresh "fresh f2" ./app-migrate -q -d "$(url f2)" up)
single_ms=$(bench_mean_fresh "fresh f3" ./app-migrate -q -d "$(url f3)" up --single-transaction)
say "timing down $DOWN_N ($FRESH runs each)"
# the database at head, copied for each run (createdb -T, not timed)
at_head() { dropdb --if-exists --force "$1"; createdb -T noop "$1"; }
pdown_ms=$(bench_mean_fresh "at_head d1" psql -X -q -v ON_ERROR_STOP=1 -1 -f last_down.sql -d d1)
down_ms=$(bench_mean_fresh "at_head d2" ./app-migrate -q -d "$(url d2)" down "-$DOWN_N")

awk -v n="$N" -v method="$(bench_method)" -v fr="$FRESH" -v dn="$DOWN_N" \
    -v nm="$noop_ms" -v fm="$floor_ms" -v nk="$noop_kib" \
    -v pm="$psql_ms" -v em="$each_ms" -v sm="$single_ms" \
    -v pd="$pdown_ms" -v dm="$down_ms" '
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
    printf "%-44s %10.1f\n", "psql -1 -f last down sections (floor)", pd
    printf "%-44s %10.1f\n", "app-migrate down -" dn, dm
    printf "\n%-36s %9s %9s %5s\n", "", "measured", "target", "met"
    printf "%-36s %9.2f %9s %5s\n", "no-op / psql select", nm / fm, "<= 1.00", yn(nm <= fm)
    printf "%-36s %9.2f %9s %5s\n", "up (per revision) / psql -1 -f", em / pm, "<= 1.25", yn(em <= 1.25 * pm)
    printf "%-36s %9.2f %9s %5s\n", "up --single-transaction / psql -1", sm / pm, "<= 1.05", yn(sm <= 1.05 * pm)
    printf "%-36s %9.2f %9s %5s\n", "down / psql -1 -f", dm / pd, "<= 1.30", yn(dm <= 1.3 * pd)
    printf "%-36s %9.1f\n", "no-op peak RSS (MiB)", nk / 1024
}'

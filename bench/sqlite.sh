#!/usr/bin/env bash
# sqlite.sh -- app-migrate on SQLite against the sqlite3 CLI, in one run.
#
# A benchmark to run on demand, never part of the test suite. With N
# (default 1000) tiny linear revisions, each figure against a floor that
# the sqlite3 CLI sets on the same machine in the same run:
#
#   up      `app-migrate up` from empty (group commit, the default)
#           against `sqlite3` running every up section in one transaction
#           (target <= 1.5x); with --group-commit 0 (a commit per revision,
#           for reference; no target)
#   single  `up --single-transaction` from empty against the same floor
#           (target <= 1.15x)
#   down    `down -DOWN_N` (default 100) from head against `sqlite3`
#           running those down sections in one transaction (target
#           <= 1.5x)
#   current `current` at head against `sqlite3` reading the version table
#           (the ledger) (target <= 1.0x)
#   no-op   `up` at head with NOOP_N (default 10000) applied revisions
#           against the same kind of read (target <= 1.0x), and its peak
#           RSS against sqlite3's (target: no more)
#
# Runs from empty use a new file each time, made outside the timing; FRESH
# runs each (default 10). Prints the figures and the ratios next to the
# targets; it does not fail when one is missed. Build first with
# scripts/sample.sh (a Release build in build/). bench/RESULTS.md keeps
# the figures of past runs.
. "$(dirname "$0")/lib.sh"
bench_setup sqlite.sh
command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/deps.sh installs it)"
DOWN_N=${DOWN_N:-100}
NOOP_N=${NOOP_N:-10000}

say "generating, bundling and compiling $N and $NOOP_N revisions"
bench_revisions "$tmp/migrations" "$N"
bench_app "$tmp/migrations" "$tmp/app-migrate"
bench_revisions "$tmp/big" "$NOOP_N"
bench_app "$tmp/big" "$tmp/app-big"
cd "$tmp"
{
    echo "BEGIN;"
    bench_sections up migrations
    echo "COMMIT;"
} >all_up.sql
{
    echo "BEGIN;"
    bench_sections down migrations "$DOWN_N"
    echo "COMMIT;"
} >last_down.sql

# fresh [COPY]: a new fresh.db, empty or a copy of COPY
fresh() {
    rm -f fresh.db fresh.db-journal
    if [ $# -gt 0 ]; then cp "$1" fresh.db; fi
}

say "preparing databases at head"
./app-migrate -q -d sqlite:head.db up || die "up failed"
./app-big -q -d sqlite:big.db up || die "up of $NOOP_N failed"
[ "$(sqlite3 big.db 'SELECT count(*) FROM migbundle_version')" = "$NOOP_N" ] ||
    die "the big database is not at head"

say "timing up from empty ($FRESH runs each)"
floor_up=$(bench_mean_fresh fresh sqlite3 fresh.db ".read all_up.sql")
app_up=$(bench_mean_fresh fresh ./app-migrate -q -d sqlite:fresh.db up)
app_each=$(bench_mean_fresh fresh ./app-migrate -q -d sqlite:fresh.db up --group-commit 0)
app_single=$(bench_mean_fresh fresh ./app-migrate -q -d sqlite:fresh.db up --single-transaction)
say "timing down $DOWN_N ($FRESH runs each)"
floor_down=$(bench_mean_fresh "fresh head.db" sqlite3 fresh.db ".read last_down.sql")
app_down=$(bench_mean_fresh "fresh head.db" ./app-migrate -q -d sqlite:fresh.db down "-$DOWN_N")
say "timing the read commands"
ledger=$(bench_mean_ms ledger sqlite3 head.db 'SELECT revision, checksum FROM migbundle_version;')
current=$(bench_mean_ms current ./app-migrate -q -d sqlite:head.db current)
big_ledger=$(bench_mean_ms big-ledger sqlite3 big.db 'SELECT revision, checksum FROM migbundle_version;')
noop=$(bench_mean_ms noop ./app-big -q -d sqlite:big.db up)
say "measuring peak RSS"
noop_kib=$(bench_peak_kib ./app-big -q -d sqlite:big.db up)
ledger_kib=$(bench_peak_kib sqlite3 big.db 'SELECT revision, checksum FROM migbundle_version;')

awk -v n="$N" -v dn="$DOWN_N" -v nn="$NOOP_N" -v fr="$FRESH" \
    -v method="$(bench_method)" -v link="$(bench_linkage ./app-migrate)" \
    -v fu="$floor_up" -v au="$app_up" -v ae="$app_each" -v as="$app_single" \
    -v fd="$floor_down" -v ad="$app_down" -v le="$ledger" -v cu="$current" \
    -v bl="$big_ledger" -v no="$noop" -v nk="$noop_kib" -v lk="$ledger_kib" '
function yn(ok) { return ok ? "yes" : "NO" }
BEGIN {
    printf "\nSQLite, %d revisions (down: the last %d; no-op: %d applied)\n", n, dn, nn
    printf "from empty and down: mean of %d runs on fresh files; reads: %s\n", fr, method
    printf "app-migrate: %s\n\n", link
    printf "%-48s %10s\n", "", "mean (ms)"
    printf "%-48s %10.1f\n", "sqlite3: all up sections, one transaction", fu
    printf "%-48s %10.1f\n", "app-migrate up (group commit)", au
    printf "%-48s %10.1f\n", "app-migrate up --group-commit 0", ae
    printf "%-48s %10.1f\n", "app-migrate up --single-transaction", as
    printf "%-48s %10.1f\n", "sqlite3: last down sections, one transaction", fd
    printf "%-48s %10.1f\n", "app-migrate down -" dn, ad
    printf "%-48s %10.3f\n", "sqlite3: SELECT the version table", le
    printf "%-48s %10.3f\n", "app-migrate current", cu
    printf "%-48s %10.3f\n", "sqlite3: SELECT the version table (" nn ")", bl
    printf "%-48s %10.3f\n", "app-migrate up at head (" nn ")", no
    printf "\n%-40s %9s %9s %5s\n", "", "measured", "target", "met"
    printf "%-40s %9.2f %9s %5s\n", "up / floor", au / fu, "<= 1.50", yn(au <= 1.5 * fu)
    printf "%-40s %9.2f %9s\n", "up --group-commit 0 / floor", ae / fu, "-"
    printf "%-40s %9.2f %9s %5s\n", "up --single-transaction / floor", as / fu, "<= 1.15", yn(as <= 1.15 * fu)
    printf "%-40s %9.2f %9s %5s\n", "down / floor", ad / fd, "<= 1.50", yn(ad <= 1.5 * fd)
    printf "%-40s %9.2f %9s %5s\n", "current / ledger", cu / le, "<= 1.00", yn(cu <= le)
    printf "%-40s %9.2f %9s %5s\n", "no-op up / ledger (" nn ")", no / bl, "<= 1.00", yn(no <= bl)
    printf "%-40s %9.1f %9.1f %5s\n", "no-op peak RSS (MiB) / sqlite3s", nk / 1024, lk / 1024, yn(nk <= lk)
}'

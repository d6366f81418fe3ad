#!/usr/bin/env bash
# noop_sqlite.sh -- what `app-migrate up` costs at head on SQLite.
#
# A benchmark to run on demand, never part of the test suite. Generates N
# (default 1000) tiny linear revisions, bundles and compiles them as an
# application would (bench/lib.sh), applies them all, then measures in one
# run the no-op `app-migrate up` at head (with its full verification:
# bundle self-check, checksums of every applied row) against the floor:
# the sqlite3 CLI reading the same version table; also `--help` start-up
# against /bin/true. Prints mean times, the ratio and peak RSS next to the
# targets (ratio <= 1.0, RSS <= 6 MiB, --help <= 1 ms); it does not fail
# when a target is missed.
#
# Build first with scripts/sample.sh (a Release build in build/).
. "$(dirname "$0")/lib.sh"
bench_setup noop_sqlite.sh
command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/deps.sh installs it)"

say "generating, bundling and compiling $N revisions"
bench_revisions "$tmp/migrations" "$N"
bench_app "$tmp/migrations" "$tmp/app-migrate"
cd "$tmp"
app=(./app-migrate -q -d sqlite:bench.db up)
floor=(sqlite3 floor.db 'SELECT revision, checksum FROM migbundle_version;')

say "applying $N revisions"
"${app[@]}" || die "app-migrate up failed"
sqlite3 bench.db ".backup floor.db"
rows=$(sqlite3 floor.db 'SELECT count(*) FROM migbundle_version;')
[ "$rows" = "$N" ] || die "migbundle_version has $rows rows, expected $N"

say "timing"
app_ms=$(bench_mean_ms app "${app[@]}")
floor_ms=$(bench_mean_ms floor "${floor[@]}")
help_ms=$(bench_mean_ms help ./app-migrate --help)
true_ms=$(bench_mean_ms true /bin/true)
say "measuring peak RSS"
app_kib=$(bench_peak_kib "${app[@]}")
floor_kib=$(bench_peak_kib "${floor[@]}")
link=$(bench_linkage ./app-migrate)

awk -v n="$N" -v method="$(bench_method)" -v link="$link" \
    -v hm="$help_ms" -v tm="$true_ms" \
    -v am="$app_ms" -v fm="$floor_ms" -v ak="$app_kib" -v fk="$floor_kib" '
function yn(ok) { return ok ? "yes" : "NO" }
BEGIN {
    ratio = am / fm; amib = ak / 1024; fmib = fk / 1024
    printf "\nno-op `app-migrate up` at head, SQLite, %d applied revisions\n", n
    printf "timing: %s; app-migrate: %s\n\n", method, link
    printf "%-36s %12s %16s\n", "", "mean (ms)", "peak RSS (MiB)"
    printf "%-36s %12.3f %16.1f\n", "app-migrate up (no-op)", am, amib
    printf "%-36s %12.3f %16.1f\n", "sqlite3 SELECT version table (floor)", fm, fmib
    printf "\n%-24s %10s %10s %6s\n", "", "measured", "target", "met"
    printf "%-24s %10.2f %10s %6s\n", "time ratio app/sqlite3", ratio, "<= 1.00", yn(ratio <= 1.0)
    printf "%-24s %10.1f %10s %6s\n", "app peak RSS (MiB)", amib, "<= 6.0", yn(amib <= 6.0)
    printf "%-24s %10.2f %10s %6s\n", "--help start-up (ms)", hm, "<= 1.00", yn(hm <= 1.0)
    printf "(starting /bin/true takes %.2f ms on this machine)\n", tm
}'

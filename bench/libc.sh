#!/usr/bin/env bash
# libc.sh -- the static app-migrate linked against glibc (what
# MIGBUNDLE_STATIC builds) and against musl, measured in one run.
#
# A benchmark to run on demand, never part of the test suite; it is the
# measurement behind the choice of glibc in docs/deploy.md. With N
# (default 1000) tiny linear revisions, bundled once, it builds:
#   glibc  through migbundle_add_executable() against the installed build
#          tree (bench/lib.sh; build/ must be a MIGBUNDLE_STATIC build);
#   musl   the same runtime sources and the same generated bundle compiled
#          with musl-gcc against the libraries of
#          `scripts/static-deps.sh --musl` (about 5 minutes the first time);
# and two empty programs (`int main(void) { return 0; }`), static with each
# C library: the start-up floor of each. It then prints, for both:
#   - size, stripped;
#   - `--help` start-up, against the empty programs and /bin/true;
#   - no-op `up` at head on SQLite against the sqlite3 CLI reading the
#     version table, and on PostgreSQL (a throwaway local server, unix
#     socket) against psql doing the same; peak RSS;
#   - what each can resolve in an empty root (chroot; unshare -r when not
#     root): `localhost` without and with /etc/hosts, and a URL without a
#     user name, without and with /etc/passwd.
# It does not fail when a target is missed.
. "$(dirname "$0")/lib.sh"
bench_setup libc.sh
command -v sqlite3 >/dev/null || die "sqlite3 not found (scripts/deps.sh installs it)"

say "static libraries for musl (scripts/static-deps.sh --musl)"
musl_deps=$("$root/scripts/static-deps.sh" --musl)

say "generating and bundling $N revisions"
bench_revisions "$tmp/migrations" "$N"
mkdir -p "$tmp/glibc" "$tmp/musl"
bench_app "$tmp/migrations" "$tmp/glibc/app-migrate"
[ "$(bench_linkage "$tmp/glibc/app-migrate")" = static ] ||
    die "$build is not a MIGBUNDLE_STATIC build (scripts/sample.sh makes one)"

say "compiling the musl executable"
"$migbundle" build "$tmp/migrations" -o "$tmp/bundle.c" --name app-migrate
# The flags of the Release static runtime (cmake/migbundle-warnings.cmake,
# runtime/CMakeLists.txt) and of migbundle_add_executable()'s link.
musl-gcc -std=c11 -D_POSIX_C_SOURCE=200809L -O3 -DNDEBUG \
    -ffunction-sections -fdata-sections \
    -I"$root/runtime/include" -I"$root/runtime" -I"$musl_deps/include" \
    "$root"/runtime/*.c "$root"/runtime/cli/*.c "$tmp/bundle.c" \
    -static -Wl,--gc-sections -L"$musl_deps/lib" \
    -lpq -lpgcommon -lpgport -lssl -lcrypto -lsqlite3 -lz -lxxhash -lm \
    -o "$tmp/musl/app-migrate"
printf 'int main(void) { return 0; }\n' >"$tmp/empty.c"
cc -O2 -static "$tmp/empty.c" -o "$tmp/glibc/empty"
musl-gcc -O2 -static "$tmp/empty.c" -o "$tmp/musl/empty"
for c in glibc musl; do
    strip -o "$tmp/$c/app-migrate.stripped" "$tmp/$c/app-migrate"
done

say "starting a throwaway PostgreSQL server"
"$root/tests/integration/pg_server.sh" start "$tmp/pg" >/dev/null
bench_cleanup() { "$root/tests/integration/pg_server.sh" stop "$tmp/pg" >/dev/null 2>&1 || true; }
# shellcheck disable=SC1091
. "$tmp/pg/env"
export PGHOST=$MB_PG_SOCKET PGPORT=$MB_PG_PORT PGUSER=$MB_PG_USER
pg_url="postgresql:///noop?host=$MB_PG_SOCKET&port=$MB_PG_PORT&user=$MB_PG_USER"
createdb noop

cd "$tmp"
"$tmp/glibc/app-migrate" -q -d sqlite:bench.db up || die "app-migrate up (SQLite) failed"
"$tmp/glibc/app-migrate" -q -d "$pg_url" up || die "app-migrate up (PostgreSQL) failed"
sqlite3 bench.db ".backup floor.db"
for c in musl glibc; do
    "$tmp/$c/app-migrate" -q -d sqlite:bench.db verify >/dev/null ||
        die "$c: verify failed on SQLite"
    "$tmp/$c/app-migrate" -q -d "$pg_url" verify >/dev/null ||
        die "$c: verify failed on PostgreSQL"
done

say "timing"
sqlite_floor=$(bench_mean_ms sqlite3 sqlite3 floor.db 'SELECT revision, checksum FROM migbundle_version;')
psql_floor=$(bench_mean_ms psql psql -XAtd noop -c 'SELECT revision, checksum FROM migbundle_version')
true_ms=$(bench_mean_ms true /bin/true)
rows=
for c in glibc musl; do
    exe=$tmp/$c/app-migrate
    empty_ms=$(bench_mean_ms "$c-empty" "$tmp/$c/empty")
    help_ms=$(bench_mean_ms "$c-help" "$exe" --help)
    sq_ms=$(bench_mean_ms "$c-sqlite" "$exe" -q -d sqlite:bench.db up)
    pg_ms=$(bench_mean_ms "$c-pg" "$exe" -q -d "$pg_url" up)
    sq_kib=$(bench_peak_kib "$exe" -q -d sqlite:bench.db up)
    pg_kib=$(bench_peak_kib "$exe" -q -d "$pg_url" up)
    size=$(stat -c %s "$exe.stripped")
    rows="$rows$c $size $empty_ms $help_ms $sq_ms $pg_ms $sq_kib $pg_kib
"
done

say "name lookups in an empty root"
if [ "$(id -u)" -eq 0 ]; then
    jail=("$(command -v chroot)")
elif unshare -r true 2>/dev/null; then
    jail=("$(command -v unshare)" -r "$(command -v chroot)")
else
    jail=()
fi
# lookup LIBC URL: what app-migrate says about URL inside the root
lookup() {
    local out
    out=$(env -i "${jail[@]}" "$tmp/root-$1" /app-migrate -d "$2" verify 2>&1 || true)
    case $out in
    *"could not translate host name"*) echo "name not resolved" ;;
    *"could not look up local user"*) echo "user not found" ;;
    *"Connection refused"*) echo "ok (connection refused)" ;;
    *) echo "other: $(head -n1 <<<"$out" | cut -c1-60)" ;;
    esac
}
nss_row() { printf '%-6s %-30s %s' "$@"; }
# A port with no server: resolving the name is all that is tested.
port=$((MB_PG_PORT + 1))
nss=
if [ ${#jail[@]} -gt 0 ]; then
    for c in glibc musl; do
        r=$tmp/root-$c
        mkdir -p "$r"
        cp "$tmp/$c/app-migrate" "$r/"
        a=$(lookup "$c" "postgresql://app@localhost:$port/x")
        b=$(lookup "$c" "postgresql://127.0.0.1:$port/x")
        mkdir -p "$r/etc"
        echo "127.0.0.1 localhost" >"$r/etc/hosts"
        echo "root:x:0:0:root:/:/app-migrate" >"$r/etc/passwd"
        d=$(lookup "$c" "postgresql://app@localhost:$port/x")
        e=$(lookup "$c" "postgresql://127.0.0.1:$port/x")
        nss="$nss$(nss_row "$c" "localhost, no /etc/hosts" "$a")
$(nss_row "$c" "localhost, /etc/hosts" "$d")
$(nss_row "$c" "no user name, no /etc/passwd" "$b")
$(nss_row "$c" "no user name, /etc/passwd" "$e")
"
    done
else
    nss="(skipped: not root and unshare -r is not allowed)
"
fi

awk -v n="$N" -v method="$(bench_method)" -v sf="$sqlite_floor" \
    -v pf="$psql_floor" -v tm="$true_ms" -v rows="$rows" '
function yn(ok) { return ok ? "yes" : "NO" }
BEGIN {
    printf "\nstatic app-migrate, glibc against musl, %d applied revisions\n", n
    printf "timing: %s\n\n", method
    split(rows, line, "\n")
    printf "%-40s %10s %10s\n", "", "glibc", "musl"
    for (i = 1; i <= 2; i++) {
        split(line[i], f, " ")
        size[i] = f[2] / 1e6; empty[i] = f[3]; help[i] = f[4]
        sq[i] = f[5]; pg[i] = f[6]; sqk[i] = f[7] / 1024; pgk[i] = f[8] / 1024
    }
    printf "%-40s %10.2f %10.2f\n", "size stripped (MB)", size[1], size[2]
    printf "%-40s %10.3f %10.3f\n", "empty static program (ms)", empty[1], empty[2]
    printf "%-40s %10.3f %10.3f\n", "--help (ms)", help[1], help[2]
    printf "%-40s %10.3f %10.3f\n", "no-op up, SQLite (ms)", sq[1], sq[2]
    printf "%-40s %10.3f %10.3f\n", "no-op up, PostgreSQL (ms)", pg[1], pg[2]
    printf "%-40s %10.1f %10.1f\n", "peak RSS, SQLite (MiB)", sqk[1], sqk[2]
    printf "%-40s %10.1f %10.1f\n", "peak RSS, PostgreSQL (MiB)", pgk[1], pgk[2]
    printf "\nfloors: sqlite3 %.3f ms, psql %.3f ms, /bin/true %.3f ms\n\n", sf, pf, tm
    printf "%-28s %8s %8s %9s %6s %6s\n", "", "glibc", "musl", "target", "glibc", "musl"
    printf "%-28s %8.2f %8.2f %9s %6s %6s\n", "no-op / sqlite3", sq[1] / sf, sq[2] / sf,
        "<= 1.00", yn(sq[1] <= sf), yn(sq[2] <= sf)
    printf "%-28s %8.2f %8.2f %9s %6s %6s\n", "no-op / psql", pg[1] / pf, pg[2] / pf,
        "<= 1.00", yn(pg[1] <= pf), yn(pg[2] <= pf)
    printf "%-28s %8.2f %8.2f %9s %6s %6s\n", "--help (ms)", help[1], help[2],
        "<= 1.00", yn(help[1] <= 1.0), yn(help[2] <= 1.0)
    printf "%-28s %8.1f %8.1f %9s %6s %6s\n", "peak RSS (MiB, max)",
        (sqk[1] > pgk[1] ? sqk[1] : pgk[1]), (sqk[2] > pgk[2] ? sqk[2] : pgk[2]), "<= 6.0",
        yn(sqk[1] <= 6 && pgk[1] <= 6), yn(sqk[2] <= 6 && pgk[2] <= 6)
    printf "%-28s %8.2f %8.2f %9s %6s %6s\n", "size stripped (MB)", size[1], size[2],
        "<= 8.00", yn(size[1] <= 8), yn(size[2] <= 8)
}'
printf '\nin an empty root (chroot), connecting to a port with no server:\n%s' "$nss"

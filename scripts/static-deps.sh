#!/usr/bin/env bash
# static-deps.sh -- build and cache the static libraries a fully static
# app-migrate links that Debian 12 does not ship: libpq without GSSAPI,
# LDAP, readline and ICU, built from Debian's postgresql-15 source package.
#
#   scripts/static-deps.sh          build (once) and print the cache dir
#
# The cache is ${MIGBUNDLE_STATIC_DEPS:-${XDG_CACHE_HOME:-~/.cache}/migbundle/static-deps}:
#   include/  libpq-fe.h libpq-events.h postgres_ext.h pg_config_ext.h
#   lib/      libpq.a libpgcommon.a libpgport.a
#   stamp     this script's sha256, the postgresql-15 version apt offers
#             and the source version built
# When the stamp matches, the script does nothing (no apt-get, no network).
#
# The rest of a static link comes from Debian's own -dev packages, which
# ship static archives: libssl.a libcrypto.a (libssl-dev), libsqlite3.a
# (libsqlite3-dev), libz.a (zlib1g-dev), libxxhash.a (libxxhash-dev); this
# script checks they are there. Debian's own libpq.a (libpq-dev) is not
# usable: it needs GSSAPI and LDAP, which Debian ships only as shared
# libraries.
#
# Steps on a miss: enable deb-src for the Debian sources if missing
# (/etc/apt/sources.list.d/debian.sources, deb822, or /etc/apt/sources.list),
# apt-get update, install the build dependencies (build-essential,
# dpkg-dev, libssl-dev, pkg-config; the upstream tarball ships the bison
# and flex outputs, so neither is needed), apt-get source postgresql-15,
# configure, and build only src/port, src/common and src/interfaces/libpq.
#
# Run time from scratch on a 2-core machine: 72-77 s measured idle (140 s
# while another build shared the cores). Idle:
# apt-get update + source download ~10 s, configure ~45 s, make ~20 s;
# a cache hit takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

me=static-deps.sh
cache=${MIGBUNDLE_STATIC_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/migbundle/static-deps}
t_start=$(date +%s)
say() { echo "$me: $*" >&2; }
die() { say "$*"; exit 1; }
step() { # step NAME: prints the time since the previous step
    local now
    now=$(date +%s)
    say "$1 ($((now - ${t_prev:-$t_start})) s)"
    t_prev=$now
}

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo not found"
    sudo=(sudo)
fi
apt() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

# The source version: the candidate of the binary package built from it
# (same version), from the local package lists: no network needed.
version=$(apt-cache policy postgresql-15 2>/dev/null |
    sed -n 's/^ *Candidate: *//p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    apt update -qq
    version=$(apt-cache policy postgresql-15 | sed -n 's/^ *Candidate: *//p')
fi
[ -n "$version" ] && [ "$version" != "(none)" ] ||
    die "no postgresql-15 package known to apt"
key="$(sha256sum "$0" | cut -d' ' -f1) postgresql-15 $version"

have_all() {
    local f
    for f in lib/libpq.a lib/libpgcommon.a lib/libpgport.a \
        include/libpq-fe.h include/postgres_ext.h include/pg_config_ext.h; do
        [ -f "$cache/$f" ] || return 1
    done
}
if [ -f "$cache/stamp" ] && [ "$(cut -d' ' -f1-3 "$cache/stamp")" = "$key" ] && have_all; then
    echo "$cache"
    exit 0
fi
say "building static libpq from postgresql-15 $version into $cache"

# The build dependencies, and the static archives Debian ships.
need=(build-essential dpkg-dev xz-utils libssl-dev pkg-config
    libsqlite3-dev zlib1g-dev libxxhash-dev)
missing=()
for p in "${need[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] ||
        missing+=("$p")
done

# deb-src: add it to the Types of every stanza that has deb only.
changed=0
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    if grep -q '^Types: *deb *$' /etc/apt/sources.list.d/debian.sources; then
        "${sudo[@]}" sed -i 's/^Types: *deb *$/Types: deb deb-src/' \
            /etc/apt/sources.list.d/debian.sources
        changed=1
    fi
elif [ -f /etc/apt/sources.list ] &&
    ! grep -q '^deb-src ' /etc/apt/sources.list; then
    sed -n 's/^deb \(.*\)$/deb-src \1/p' /etc/apt/sources.list |
        "${sudo[@]}" tee -a /etc/apt/sources.list >/dev/null
    changed=1
fi
[ "$changed" = 1 ] && say "enabled deb-src in the apt sources"
if [ "$changed" = 1 ] || [ ${#missing[@]} -gt 0 ] ||
    ! apt-cache showsrc postgresql-15 2>/dev/null | grep -q "^Version: $version\$"; then
    apt update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for f in libssl.a libcrypto.a libsqlite3.a libz.a libxxhash.a; do
    [ -f "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/$f" ] ||
        die "Debian's static $f is missing"
done
step "apt sources and packages ready"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The candidate's source first; when the mirror lacks it (a security
# update's source is not always mirrored), the newest older one it has.
built= tried=" "
for v in $version $(apt-cache showsrc postgresql-15 | sed -n 's/^Version: *//p' |
    sort -Vru); do
    dpkg --compare-versions "$v" le "$version" || continue
    case $tried in *" $v "*) continue ;; esac
    tried="$tried$v "
    rm -rf "$work/dl" && mkdir "$work/dl"
    if (cd "$work/dl" && apt-get source -qq --download-only "postgresql-15=$v" \
        >"$work/source.log" 2>&1); then
        built=$v
        break
    fi
    say "could not download the source of postgresql-15 $v; trying an older one"
done
[ -n "$built" ] || { cat "$work/source.log" >&2; die "apt-get source postgresql-15 failed"; }
[ "$built" = "$version" ] ||
    say "warning: building libpq from postgresql-15 $built, not $version"
(cd "$work/dl" && dpkg-source -x postgresql-15_*.dsc ../src >"$work/unpack.log" 2>&1) ||
    { cat "$work/unpack.log" >&2; die "dpkg-source -x failed"; }
step "source $built downloaded and unpacked"

src=$work/src
# Debian's patches are applied (dpkg-source -x), so libpq behaves as
# Debian's does (e.g. the default socket directory /var/run/postgresql).
# -ffunction-sections lets the final link drop what app-migrate does not
# call.
(cd "$src" && ./configure -q --prefix="$cache" \
    --with-ssl=openssl --without-gssapi --without-ldap --without-readline \
    --without-icu --without-zlib --without-lz4 --without-zstd \
    --without-systemd --without-pam --without-libxml --disable-nls \
    CFLAGS="-O2 -ffunction-sections -fdata-sections" >"$work/configure.log" 2>&1) ||
    { tail -30 "$work/configure.log" >&2; die "configure failed"; }
step "configured"

jobs=$(nproc)
(
    cd "$src"
    make -s -C src/backend generated-headers
    make -s -C src/port -j "$jobs" libpgport.a
    make -s -C src/common -j "$jobs" libpgcommon.a
    make -s -C src/interfaces/libpq -j "$jobs" all-static-lib
) >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; die "make failed"; }
step "built"

# Install into a fresh directory, then swap it in.
new=$cache.new.$$
rm -rf "$new"
mkdir -p "$new/lib" "$new/include"
cp "$src/src/interfaces/libpq/libpq.a" "$src/src/common/libpgcommon.a" \
    "$src/src/port/libpgport.a" "$new/lib/"
cp "$src/src/interfaces/libpq/libpq-fe.h" "$src/src/interfaces/libpq/libpq-events.h" \
    "$src/src/include/postgres_ext.h" "$src/src/include/pg_config_ext.h" \
    "$new/include/"
echo "$key built $built" >"$new/stamp"
mkdir -p "$(dirname "$cache")"
rm -rf "$cache"
mv "$new" "$cache"
step "installed"
say "done in $(($(date +%s) - t_start)) s"
echo "$cache"

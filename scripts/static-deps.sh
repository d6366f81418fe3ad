#!/usr/bin/env bash
# static-deps.sh -- build and cache the static libraries a fully static
# app-migrate links that Debian 12 does not ship, from Debian's own source
# packages.
#
#   scripts/static-deps.sh          glibc (the default): libpq only
#   scripts/static-deps.sh --musl   musl: every library, for the
#                                   comparison in bench/libc.sh
# Both print the cache directory on stdout.
#
# glibc. The cache is
# ${MIGBUNDLE_STATIC_DEPS:-${XDG_CACHE_HOME:-~/.cache}/migbundle/static-deps}:
#   include/  libpq-fe.h libpq-events.h postgres_ext.h pg_config_ext.h
#   lib/      libpq.a libpgcommon.a libpgport.a
#   stamp     this script's sha256, the versions apt offers, the source
#             versions built
# libpq is built from postgresql-15 without GSSAPI, LDAP, readline and
# ICU. The rest of a static link comes from Debian's -dev packages, which
# ship static archives: libssl.a libcrypto.a (libssl-dev), libsqlite3.a
# (libsqlite3-dev), libz.a (zlib1g-dev), libxxhash.a (libxxhash-dev); this
# script checks they are there. Debian's own libpq.a (libpq-dev) is not
# usable: it needs GSSAPI and LDAP, which Debian ships only as shared
# libraries.
#
# musl (--musl). The cache is
# ${MIGBUNDLE_MUSL_DEPS:-${XDG_CACHE_HOME:-~/.cache}/migbundle/musl-deps}
# and holds the same libpq plus libssl.a libcrypto.a (openssl, without
# engines, modules and the legacy provider), libsqlite3.a (sqlite3, with
# the compile options of Debian's libsqlite3-0 except
# SQLITE_ENABLE_LOAD_EXTENSION), libz.a (zlib) and libxxhash.a (xxhash),
# all compiled with Debian's musl-gcc (musl-tools), and their headers.
# Debian ships none of them built for musl.
#
# When the stamp matches, the script does nothing (no apt-get, no network).
# On a miss: enable deb-src for the Debian sources if missing
# (/etc/apt/sources.list.d/debian.sources, deb822, or /etc/apt/sources.list),
# apt-get update, install the build dependencies, apt-get source each
# package (when the mirror lacks the source of the version apt would
# install, e.g. a security update's, the newest older one it has, with a
# warning), configure and build only what app-migrate links.
#
# Run time from scratch on a 2-core machine, idle. glibc: 72-77 s
# (apt-get update + source download ~10 s, libpq's configure ~45 s, make
# ~20 s; 140 s while another build shared the cores). musl: about 5 min
# (OpenSSL ~2 min, SQLite's amalgamation and compile ~50 s, libpq ~1 min).
# A cache hit takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

me=static-deps.sh
libc=glibc
case $#:${1:-} in
0:) ;;
1:--musl) libc=musl ;;
*)
    echo "usage: $me [--musl]" >&2
    exit 2
    ;;
esac
if [ "$libc" = musl ]; then
    cache=${MIGBUNDLE_MUSL_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/migbundle/musl-deps}
    sources="postgresql-15:postgresql-15 openssl:openssl sqlite3:libsqlite3-0 zlib:zlib1g xxhash:libxxhash0"
else
    cache=${MIGBUNDLE_STATIC_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/migbundle/static-deps}
    sources="postgresql-15:postgresql-15"
fi
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

# candidate BINARY: the version apt would install, from the local package
# lists (no network). A binary package has its source package's version.
candidate() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p'
}
key=$(sha256sum "$0" | cut -d' ' -f1)
updated=0
for pair in $sources; do
    bin=${pair#*:}
    v=$(candidate "$bin")
    if { [ -z "$v" ] || [ "$v" = "(none)" ]; } && [ "$updated" = 0 ]; then
        apt update -qq
        updated=1
        v=$(candidate "$bin")
    fi
    [ -n "$v" ] && [ "$v" != "(none)" ] || die "no $bin package known to apt"
    key="$key ${pair%%:*}=$v"
done

have_all() {
    local f
    for f in lib/libpq.a lib/libpgcommon.a lib/libpgport.a \
        include/libpq-fe.h include/postgres_ext.h include/pg_config_ext.h; do
        [ -f "$cache/$f" ] || return 1
    done
    [ "$libc" = glibc ] && return 0
    for f in lib/libssl.a lib/libcrypto.a lib/libsqlite3.a lib/libz.a \
        lib/libxxhash.a include/sqlite3.h include/zlib.h include/xxhash.h; do
        [ -f "$cache/$f" ] || return 1
    done
}
if [ -f "$cache/stamp" ] && [ "$(head -n1 "$cache/stamp")" = "$key" ] && have_all; then
    echo "$cache"
    exit 0
fi
say "building the static libraries for $libc into $cache"

# The build dependencies, and (glibc) the static archives Debian ships.
need=(build-essential dpkg-dev xz-utils libssl-dev pkg-config)
if [ "$libc" = musl ]; then
    need+=(musl-tools linux-libc-dev tcl perl)
else
    need+=(libsqlite3-dev zlib1g-dev libxxhash-dev)
fi
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
    ! apt-cache showsrc postgresql-15 >/dev/null 2>&1; then
    apt update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
if [ "$libc" = glibc ]; then
    for f in libssl.a libcrypto.a libsqlite3.a libz.a libxxhash.a; do
        [ -f "/usr/lib/$multiarch/$f" ] || die "Debian's static $f is missing"
    done
fi
step "apt sources and packages ready"

work=$(mktemp -d)
new=$cache.new.$$
trap 'rm -rf "$work" "$new"' EXIT
rm -rf "$new"
mkdir -p "$new/lib" "$new/include"
built_versions=

# fetch SOURCE: downloads and unpacks (Debian's patches applied) the
# source of the version in $key into $work/SOURCE; sets $src. When the
# mirror lacks it (a security update's source is not always mirrored),
# the newest older version it has.
fetch() {
    local pkg=$1 want v built= tried=" "
    want=$(tr ' ' '\n' <<<"$key" | sed -n "s/^$pkg=//p")
    for v in $want $(apt-cache showsrc "$pkg" | sed -n 's/^Version: *//p' | sort -Vru); do
        dpkg --compare-versions "$v" le "$want" || continue
        case $tried in *" $v "*) continue ;; esac
        tried="$tried$v "
        rm -rf "$work/dl" && mkdir "$work/dl"
        if (cd "$work/dl" && apt-get source -qq --download-only "$pkg=$v" \
            >"$work/source.log" 2>&1); then
            built=$v
            break
        fi
        say "could not download the source of $pkg $v; trying an older one"
    done
    [ -n "$built" ] || { cat "$work/source.log" >&2; die "apt-get source $pkg failed"; }
    [ "$built" = "$want" ] || say "warning: building $pkg $built, not $want"
    (cd "$work/dl" && dpkg-source -x ./*.dsc "../$pkg" >"$work/unpack.log" 2>&1) ||
        { cat "$work/unpack.log" >&2; die "dpkg-source -x $pkg failed"; }
    rm -rf "$work/dl"
    src=$work/$pkg
    built_versions="$built_versions $pkg=$built"
    step "$pkg $built downloaded and unpacked"
}

# quietly LOG CMD...: runs CMD with its output in $work/LOG, shown on failure
quietly() {
    local log=$work/$1
    shift
    "$@" >"$log" 2>&1 || { tail -30 "$log" >&2; die "failed: $*"; }
}

jobs=$(nproc)
# -ffunction-sections lets the final link drop what app-migrate does not
# call. musl: the kernel's uapi headers (linux-libc-dev) after musl's own,
# as Alpine's linux-headers provides them; OpenSSL looks for a few.
cflags="-O2 -ffunction-sections -fdata-sections"
if [ "$libc" = musl ]; then
    cc=musl-gcc
    command -v "$cc" >/dev/null || die "musl-gcc not found (musl-tools)"
    mkdir "$work/kernel-headers"
    for d in linux asm-generic "$multiarch/asm"; do
        ln -s "/usr/include/$d" "$work/kernel-headers/"
    done
    cflags="$cflags -idirafter $work/kernel-headers"

    fetch zlib
    (cd "$src" && quietly zlib.log env CC="$cc" CFLAGS="$cflags" \
        ./configure --static --prefix="$new")
    quietly zlib-make.log make -C "$src" -j "$jobs" libz.a
    cp "$src/libz.a" "$new/lib/" && cp "$src/zlib.h" "$src/zconf.h" "$new/include/"
    step "zlib built"

    fetch xxhash
    quietly xxhash.log make -C "$src" -j "$jobs" libxxhash.a CC="$cc" CFLAGS="$cflags"
    cp "$src/libxxhash.a" "$new/lib/" && cp "$src/xxhash.h" "$new/include/"
    step "xxhash built"

    # Debian's compile options (debian/rules), without loading extensions
    # (a static executable cannot dlopen them); configure adds what it
    # detects (HAVE_PREAD and the like) for musl.
    fetch sqlite3
    sqlite_opts=$(grep -o -- '-DSQLITE_[A-Z0-9_]*\(=[0-9]*\)\?' "$src/debian/rules" |
        grep -v -e LOAD_EXTENSION | sort -u | tr '\n' ' ')
    mkdir "$src/build"
    (cd "$src/build" && quietly sqlite.log ../configure --disable-tcl \
        --disable-shared --enable-static --disable-readline --disable-load-extension \
        CC="$cc" CFLAGS="$cflags $sqlite_opts -DSQLITE_OMIT_LOAD_EXTENSION")
    quietly sqlite-make.log make -C "$src/build" -j "$jobs" libsqlite3.la
    cp "$src/build/.libs/libsqlite3.a" "$new/lib/" && cp "$src/build/sqlite3.h" "$new/include/"
    step "sqlite3 built"

    fetch openssl
    (cd "$src" && quietly openssl.log env CC="$cc" ./Configure linux-x86_64 \
        no-shared no-tests no-module no-legacy no-engine no-dso no-afalgeng \
        no-async no-ui-console no-comp --prefix="$new" --libdir=lib \
        --openssldir=/etc/ssl $cflags)
    quietly openssl-make.log make -C "$src" -j "$jobs" build_libs
    quietly openssl-install.log make -C "$src" install_dev
    rm -rf "$new/lib/pkgconfig" "$new/lib/cmake"
    step "openssl built"
    pq_env=(CC="$cc" CPPFLAGS="-I$new/include" LDFLAGS="-L$new/lib -static")
else
    pq_env=()
fi

# libpq: Debian's patches are applied (dpkg-source -x), so it behaves as
# Debian's does (e.g. the default socket directory /var/run/postgresql).
fetch postgresql-15
(cd "$src" && quietly pq-configure.log ./configure -q --prefix="$new" \
    --with-ssl=openssl --without-gssapi --without-ldap --without-readline \
    --without-icu --without-zlib --without-lz4 --without-zstd \
    --without-systemd --without-pam --without-libxml --disable-nls \
    CFLAGS="$cflags" "${pq_env[@]}")
step "postgresql-15 configured"
quietly pq-make.log sh -c "
    make -s -C '$src/src/backend' generated-headers &&
    make -s -C '$src/src/port' -j $jobs libpgport.a &&
    make -s -C '$src/src/common' -j $jobs libpgcommon.a &&
    make -s -C '$src/src/interfaces/libpq' -j $jobs all-static-lib"
cp "$src/src/interfaces/libpq/libpq.a" "$src/src/common/libpgcommon.a" \
    "$src/src/port/libpgport.a" "$new/lib/"
cp "$src/src/interfaces/libpq/libpq-fe.h" "$src/src/interfaces/libpq/libpq-events.h" \
    "$src/src/include/postgres_ext.h" "$src/src/include/pg_config_ext.h" \
    "$new/include/"
step "libpq built"

# Swap the new directory in.
printf '%s\nbuilt%s\n' "$key" "$built_versions" >"$new/stamp"
mkdir -p "$(dirname "$cache")"
rm -rf "$cache"
mv "$new" "$cache"
say "done in $(($(date +%s) - t_start)) s"
echo "$cache"

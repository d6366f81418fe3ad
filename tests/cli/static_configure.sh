#!/usr/bin/env bash
# static_configure.sh -- MIGBUNDLE_STATIC is on by default: a configure
# that did not choose builds the static runtime when MIGBUNDLE_STATIC_DEPS
# (the -D value, else the environment's) holds the static libpq, and
# otherwise stops, naming the missing archives, scripts/static-deps.sh and
# the opt-out -DMIGBUNDLE_STATIC=OFF, instead of going dynamic quietly.
# Configures only (nothing is built), in scratch build trees.
. "$(dirname "$0")/lib.sh"

empty=$T/empty
mkdir -p "$empty"
# archives with the names of scripts/static-deps.sh's: configure only
# looks for them
deps=$T/deps
mkdir -p "$deps/lib"
for lib in pq pgcommon pgport; do
    ar rc "$deps/lib/lib$lib.a" || fail "ar could not write lib$lib.a"
done

n=0
configure() { # configure ARGS...: a fresh tree, output in $OUT/$ERR
    n=$((n + 1))
    run cmake -S "$MB_SOURCE_DIR" -B "$T/b$n" -DMIGBUNDLE_TESTS=OFF "$@"
}
cached() { # cached: MIGBUNDLE_STATIC's value in the last tree's cache
    sed -n 's/^MIGBUNDLE_STATIC:BOOL=//p' "$T/b$n/CMakeCache.txt"
}
# said: stderr, CMake's line wrapping undone, holds the text
said() {
    tr -s ' \n' '  ' <"$ERR" | grep -qF -- "$1" || fail "stderr lacks: $1"
}
refused() { # refused WHAT: the last configure stopped with the message
    expect_status 1
    said "the static libpq is not in MIGBUNDLE_STATIC_DEPS=$empty"
    said "(missing: libpq.a, libpgcommon.a, libpgport.a)"
    said "scripts/static-deps.sh builds and caches"
    said "cmake -S . -B build -DMIGBUNDLE_STATIC=OFF"
    [ ! -e "$T/b$n/Makefile" ] || fail "$1: a build tree was generated"
}

# no choice, no static libpq: stop, whether the directory comes from -D
# or from the environment
configure -DMIGBUNDLE_STATIC_DEPS="$empty"
refused "-DMIGBUNDLE_STATIC_DEPS"
said "MIGBUNDLE_STATIC is on by default"
MIGBUNDLE_STATIC_DEPS=$empty configure
refused "the environment's MIGBUNDLE_STATIC_DEPS"

# asked for explicitly: the same message
configure -DMIGBUNDLE_STATIC=ON -DMIGBUNDLE_STATIC_DEPS="$empty"
refused "-DMIGBUNDLE_STATIC=ON"

# the opt-out: a dynamic build, recorded as such
configure -DMIGBUNDLE_STATIC=OFF -DMIGBUNDLE_STATIC_DEPS="$empty"
expect_status 0
[ "$(cached)" = OFF ] || fail "the opt-out was not kept: $(cached)"

# the static libpq present: on, without being asked
configure -DMIGBUNDLE_STATIC_DEPS="$deps"
expect_status 0
[ "$(cached)" = ON ] || fail "not on by default with the static libpq: $(cached)"

# the sanitizers need a dynamic link: the message says how
configure -DMIGBUNDLE_STATIC_DEPS="$deps" -DMIGBUNDLE_SANITIZE=ON
expect_status 1
said "add -DMIGBUNDLE_STATIC=OFF"
echo ok

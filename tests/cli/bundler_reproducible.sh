#!/usr/bin/env bash
# bundler_reproducible.sh -- the sample built twice as an application
# builds it (migbundle installed into a prefix, samples/consumer's
# migbundle_add_executable()), in two build trees that differ in their
# path, umask, locale, time zone and the mtimes of the sources, gives the
# same generated C and the same executable, byte for byte; in a Release
# build and in a Debug one, whose debug information names the files. The
# Debug builds are signed (RELEASE_KEY, a key made here): Ed25519 is
# deterministic, so a signed release is as reproducible as an unsigned one.
. "$(dirname "$0")/lib.sh"

[ -f "$MB_BINARY_DIR/migbundle-config.cmake" ] ||
    fail "$MB_BINARY_DIR is not a configured migbundle build tree"
prefix=$T/prefix
cmake --install "$MB_BINARY_DIR" --prefix "$prefix" >"$T/install.log" 2>&1 ||
    { cat "$T/install.log" >&2; fail "cmake --install failed"; }
extra=()
sanitized=0
if grep -q '^MIGBUNDLE_SANITIZE:BOOL=ON' "$MB_BINARY_DIR/CMakeCache.txt"; then
    # ASan records each instrumented global with the source file's path as
    # the compiler was given it (no -ffile-prefix-map applies): such
    # executables name their tree. Releases are never sanitized builds;
    # here only the generated C is compared.
    sanitized=1
    # shellcheck disable=SC2054 # the commas are the flag's
    extra=(-DCMAKE_C_FLAGS=-fsanitize=address,undefined
        -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
fi
openssl genpkey -algorithm ed25519 -out "$T/release-key.pem" 2>/dev/null ||
    fail "openssl genpkey failed"

# app WORK UMASK LOCALE ZONE STAMP TYPE: copy the sample to WORK, set
# every source's mtime to STAMP, configure and build there
app() {
    local work=$1 mask=$2 locale=$3 zone=$4 stamp=$5 type=$6 sign=()
    [ "$type" = Debug ] && sign=(-DRELEASE_KEY="$T/release-key.pem")
    mkdir -p "$work"
    cp -R "$MB_SOURCE_DIR/samples/consumer" "$MB_SOURCE_DIR/samples/migrations" \
        "$work/"
    find "$work" -exec touch -d "$stamp" {} +
    (cd "$work" && umask "$mask" && export LC_ALL=$locale TZ=$zone &&
        cmake -S consumer -B build -DCMAKE_PREFIX_PATH="$prefix" \
            -DCMAKE_BUILD_TYPE="$type" "${extra[@]}" "${sign[@]}" &&
        cmake --build build) >"$T/build.log" 2>&1 ||
        { cat "$T/build.log" >&2; fail "$type build in $work failed"; }
    [ -x "$work/build/app-migrate" ] || fail "no app-migrate in $work"
}

for type in Release Debug; do
    one=$T/$type/a
    two=$T/$type/a/much/longer/path/to/another/tree
    app "$one" 022 C UTC "2001-02-03 04:05:06" "$type"
    app "$two" 077 C.UTF-8 Asia/Tokyo "2030-07-08 09:10:11" "$type"
    cmp "$one/build/app-migrate_bundle.c" "$two/build/app-migrate_bundle.c" ||
        fail "$type: the generated C differs between the two trees"
    if [ "$sanitized" = 0 ] &&
        ! cmp "$one/build/app-migrate" "$two/build/app-migrate"; then
        strings -a "$two/build/app-migrate" | grep -F "$two" >&2 || true
        fail "$type: the executables differ (paths of the tree above, if any)"
    fi
    # it is the sample, and it runs
    "$one/build/app-migrate" manifest >"$T/manifest" || fail "$type: manifest"
    n=$(find "$MB_SOURCE_DIR/samples/migrations" -name '*.sql' | wc -l)
    grep -q "^revisions: $n$" "$T/manifest" || fail "$type: not the sample's $n revisions"
    if [ "$type" = Debug ]; then
        grep -q '^signed-by: ed25519 sha256:[0-9a-f]\{64\} (valid)$' \
            "$T/manifest" || fail "$type: not signed by RELEASE_KEY"
    else
        grep -q '^signed-by: (not signed)$' "$T/manifest" ||
            fail "$type: signed without RELEASE_KEY"
    fi
done
echo "ok"

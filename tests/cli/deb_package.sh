#!/usr/bin/env bash
# deb_package.sh -- the Debian package (cmake/migbundle-package.cmake), as
# a user gets it: `cpack -G DEB` in the build tree (output in a scratch
# directory), the .deb unpacked with `dpkg -x` into a scratch root, the
# expected files and control fields in it, and samples/consumer configured
# and built against that root alone (CMAKE_PREFIX_PATH=<root>/usr), with
# the package's migbundle doing the bundling. The resulting app-migrate
# must print the same manifest as the in-tree one and migrate a SQLite
# file.
. "$(dirname "$0")/lib.sh"

for tool in cpack dpkg-deb dpkg; do
    command -v "$tool" >/dev/null || { echo "skipped: $tool not installed"; exit 77; }
done
[ -f "$MB_BINARY_DIR/CPackConfig.cmake" ] ||
    fail "$MB_BINARY_DIR/CPackConfig.cmake missing: is CPack included?"

# --- build the package ------------------------------------------------------
out=$T/out
(cd "$MB_BINARY_DIR" && cpack -G DEB -B "$out" --config CPackConfig.cmake) \
    >"$T/cpack.log" 2>&1 || { cat "$T/cpack.log" >&2; fail "cpack -G DEB failed"; }
debs=("$out"/*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] ||
    { ls -l "$out" >&2; fail "expected exactly one .deb in $out"; }
deb=${debs[0]}

version=$("$MIGBUNDLE" --version | sed 's/^migbundle //')
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = migbundle ] || fail "Package is \"$(field Package)\", not migbundle"
[ "$(field Version)" = "$version" ] || fail "Version is \"$(field Version)\", not $version"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ -n "$(field Description)" ] || fail "no Description"
depends=$(field Depends)
# dep_names: the package names of a Depends field, one a line.
dep_names() { tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/^ +//; s/ +$//' | grep -v '^$' | sort -u; }
dep_names <<<"$depends" >"$T/depends"
for p in libsqlite3-0 zlib1g libxxhash0 libpq5 libsqlite3-dev zlib1g-dev \
    libxxhash-dev libpq-dev pkg-config cmake; do
    grep -qx "$p" "$T/depends" || fail "Depends lacks $p: $depends"
done

# --- unpack it --------------------------------------------------------------
root=$T/root
dpkg -x "$deb" "$root" || fail "dpkg -x $deb failed"
dpkg-deb -c "$deb" >"$T/contents"
usr=$root/usr
[ -x "$usr/bin/migbundle" ] || fail "the package has no usr/bin/migbundle"
# lib/ or lib/<multiarch>/, as GNUInstallDirs chose for the build's prefix
find_one() { # find_one NAME: the one file NAME under usr/lib*
    local hits
    hits=$(find "$usr"/lib* -name "$1" -type f 2>/dev/null)
    [ "$(grep -c . <<<"$hits")" = 1 ] || fail "expected one $1 under usr/lib*, found: ${hits:-none}"
    echo "$hits"
}
find_one libmb_runtime.a >/dev/null
find_one libmb_runtime_main.a >/dev/null
config=$(find_one migbundle-config.cmake)
cmake_dir=$(dirname "$config")
for f in migbundle-config-version.cmake migbundle-functions.cmake migbundleTargets.cmake; do
    [ -f "$cmake_dir/$f" ] || fail "the package has no ${cmake_dir#"$root"/}/$f"
done
for h in bundle.h error.h; do
    [ -f "$usr/include/mb/$h" ] || fail "the package has no usr/include/mb/$h"
done
for m in migbundle.1 app-migrate.1; do
    [ -f "$usr/share/man/man1/$m" ] || [ -f "$usr/share/man/man1/$m.gz" ] ||
        fail "the package has no usr/share/man/man1/$m"
done
# Relocatable: no path of this build or source tree in the CMake files.
if grep -lF -e "$MB_BINARY_DIR" -e "$MB_SOURCE_DIR" "$cmake_dir"/*.cmake >"$T/leaks"; then
    fail "build or source paths in the package's CMake files: $(tr '\n' ' ' <"$T/leaks")"
fi
# The explicit Depends covers what dpkg-shlibdeps finds in migbundle
# (not in a sanitizer build, whose binaries also need libasan and libubsan).
sanitized=0
grep -q '^MIGBUNDLE_SANITIZE:BOOL=ON' "$MB_BINARY_DIR/CMakeCache.txt" && sanitized=1
if command -v dpkg-shlibdeps >/dev/null && [ $sanitized = 0 ]; then
    mkdir -p "$T/shl/debian" && : >"$T/shl/debian/control"
    (cd "$T/shl" && dpkg-shlibdeps -O "$usr/bin/migbundle" 2>/dev/null) >"$T/shlibs" ||
        fail "dpkg-shlibdeps on usr/bin/migbundle failed"
    sed 's/^shlibs:Depends=//' "$T/shlibs" | dep_names | while read -r p; do
        grep -qx "$p" "$T/depends" || { echo "$p"; }
    done >"$T/missing"
    [ ! -s "$T/missing" ] ||
        fail "Depends lacks what dpkg-shlibdeps finds: $(tr '\n' ' ' <"$T/missing")"
fi

# --- build the sample consumer against the scratch root ---------------------
extra=()
if [ $sanitized = 1 ]; then
    extra=(-DCMAKE_C_FLAGS=-fsanitize=address,undefined
        -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
fi
work=$T/work
mkdir -p "$work"
cp -R "$MB_SOURCE_DIR/samples/consumer" "$MB_SOURCE_DIR/samples/migrations" "$work/"
bin=$work/build
cmake -S "$work/consumer" -B "$bin" -DCMAKE_PREFIX_PATH="$usr" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${extra[@]}" >"$T/configure.log" 2>&1 ||
    { cat "$T/configure.log" >&2; fail "configuring samples/consumer against $usr failed"; }
found=$(sed -n 's/^migbundle_DIR:PATH=//p' "$bin/CMakeCache.txt")
[ "$found" = "$cmake_dir" ] ||
    fail "find_package(migbundle) found \"$found\", not the package's $cmake_dir"
cmake --build "$bin" -v >"$T/build.log" 2>&1 ||
    { cat "$T/build.log" >&2; fail "building samples/consumer against $usr failed"; }
# The bundling step ran the package's migbundle, nothing else.
grep -F "$usr/bin/migbundle build" "$T/build.log" >/dev/null ||
    { cat "$T/build.log" >&2; fail "the bundle was not made by $usr/bin/migbundle"; }
if grep -E '(^|[ /])migbundle build' "$T/build.log" | grep -vF "$usr/bin/migbundle build" | grep -q .; then
    fail "another migbundle took part in the build"
fi

app=$bin/app-migrate
[ -x "$app" ] || fail "no app-migrate built"
"$app" manifest >"$T/manifest" 2>"$T/manifest.err" ||
    { cat "$T/manifest.err" >&2; fail "app-migrate manifest failed"; }
grep -qx "generator: migbundle $version" "$T/manifest" ||
    fail "manifest: the generator is not migbundle $version"
n=$(ls "$work/migrations"/*.sql | wc -l)
grep -qx "revisions: $n" "$T/manifest" || fail "manifest lacks \"revisions: $n\""
# Same revision files, name and default database: the same bundle as the
# in-tree app-migrate (the bundler's output is deterministic).
"$APP_MIGRATE" manifest >"$T/manifest.tree"
diff "$T/manifest.tree" "$T/manifest" >&2 ||
    fail "the packaged build's manifest differs from the in-tree one"

db=$work/app.db
"$app" -d "sqlite:$db" up 2>"$T/up.err" ||
    { cat "$T/up.err" >&2; fail "app-migrate up failed"; }
grep -q "applied $n revisions" "$T/up.err" || fail "up did not apply $n revisions"
"$app" -d "sqlite:$db" verify >"$T/verify" || { cat "$T/verify" >&2; fail "verify failed"; }
[ "$(sqlite3 "$db" 'SELECT count(*) FROM migbundle_version')" = "$n" ] ||
    fail "the version table does not hold $n revisions"

echo "ok deb_package ($(basename "$deb"), $(wc -l <"$T/contents") entries)"

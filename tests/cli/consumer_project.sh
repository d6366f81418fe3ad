#!/usr/bin/env bash
# consumer_project.sh -- migbundle as an application uses it: installed
# into a prefix, found with find_package(migbundle), and
# migbundle_add_executable() building app-migrate from the sample's
# migrations (samples/consumer/, which bundles ../migrations). The binary
# must work (manifest, up, current on a SQLite file), and editing, adding
# and deleting a revision must each re-bundle it on the next build, with
# every generator at hand (Unix Makefiles, and Ninja when installed).
. "$(dirname "$0")/lib.sh"

src=$MB_SOURCE_DIR/samples
[ -f "$src/consumer/CMakeLists.txt" ] || fail "no samples/consumer project"
[ -f "$MB_BINARY_DIR/migbundle-config.cmake" ] ||
    fail "$MB_BINARY_DIR is not a configured migbundle build tree"

prefix=$T/prefix
cmake --install "$MB_BINARY_DIR" --prefix "$prefix" >"$T/install.log" 2>&1 ||
    { cat "$T/install.log" >&2; fail "cmake --install failed"; }
for f in bin/migbundle include/mb/bundle.h \
    lib/cmake/migbundle/migbundle-config.cmake \
    lib/cmake/migbundle/migbundle-functions.cmake \
    share/man/man1/migbundle.1 share/man/man1/app-migrate.1; do
    [ -e "$prefix/$f" ] || fail "not installed: $f"
done

# An instrumented build tree installs instrumented libraries.
extra=()
if grep -q '^MIGBUNDLE_SANITIZE:BOOL=ON' "$MB_BINARY_DIR/CMakeCache.txt"; then
    extra=(-DCMAKE_C_FLAGS=-fsanitize=address,undefined
        -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
fi

generators=("Unix Makefiles")
if command -v ninja >/dev/null; then
    generators+=(Ninja)
else
    echo "skipped Ninja: not installed"
fi

# head_of DIR: the revision no other revision names in Revises.
head_of() {
    local ids parents id
    ids=$(sed -n 's/^-- Revision ID: *//p' "$1"/*.sql | sort)
    parents=$(sed -n 's/^-- Revises: *//p' "$1"/*.sql | tr ', ' '\n\n' | sort -u)
    for id in $ids; do
        grep -qx "$id" <<<"$parents" || { echo "$id"; return; }
    done
}

build() { # build WHAT: cmake --build, output kept in $T/build.log
    cmake --build "$bin" >"$T/build.log" 2>&1 ||
        { cat "$T/build.log" >&2; fail "build after $1 failed"; }
}

manifest() { "$app" manifest >"$T/manifest" || fail "app-migrate manifest failed"; }

for gen in "${generators[@]}"; do
    work=$T/work-${gen// /_}
    mkdir -p "$work"
    cp -R "$src/consumer" "$src/migrations" "$work/"
    migs=$work/migrations
    bin=$work/build
    app=$bin/app-migrate
    bundle=$bin/app-migrate_bundle.c

    cmake -S "$work/consumer" -B "$bin" -G "$gen" \
        -DCMAKE_PREFIX_PATH="$prefix" "${extra[@]}" >"$T/configure.log" 2>&1 ||
        { cat "$T/configure.log" >&2; fail "$gen: configure failed"; }
    build "configure ($gen)"
    [ -x "$app" ] || fail "$gen: no app-migrate built"
    grep -q 'migbundle::migbundle\|migbundle build' "$T/build.log" ||
        grep -q 'Bundling' "$T/build.log" || fail "$gen: nothing was bundled"

    # A package with the static runtime links static executables by
    # default; one without links them dynamically.
    if [ -e "$prefix/lib/migbundle/libpq.a" ] ||
       [ -n "$(ls "$prefix"/lib/*/migbundle/libpq.a 2>/dev/null)" ]; then
        file "$app" | grep -q "statically linked" ||
            fail "$gen: app-migrate is not static: $(file "$app")"
    else
        file "$app" | grep -q "dynamically linked" ||
            fail "$gen: app-migrate should be dynamic: $(file "$app")"
    fi

    # The binary works on its own.
    n=$(ls "$migs"/*.sql | wc -l)
    head=$(head_of "$migs")
    [ -n "$head" ] || fail "no head found in the sample's migrations"
    manifest
    grep -q "^revisions: $n$" "$T/manifest" || fail "$gen: manifest lacks $n revisions"
    "$app" -d "sqlite:$work/app.db" up 2>"$T/up.err" ||
        { cat "$T/up.err" >&2; fail "$gen: app-migrate up failed"; }
    [ "$("$app" -d "sqlite:$work/app.db" current)" = "$head (head)" ] ||
        fail "$gen: current is not $head after up"

    # Nothing changed: the bundle is not regenerated.
    touch -d "2001-01-01" "$bundle"
    stamp=$(stat -c %Y "$bundle")
    build "no change ($gen)"
    [ "$(stat -c %Y "$bundle")" = "$stamp" ] ||
        fail "$gen: a build without changes rewrote the bundle"

    # Edit a revision: its checksum in the manifest changes.
    file=$(grep -l "^-- Revision ID: $head\$" "$migs"/*.sql)
    cp "$T/manifest" "$T/manifest.before"
    printf -- '-- edited\n' >>"$file"
    build "an edit ($gen)"
    manifest
    old=$(grep " $head " "$T/manifest.before")
    new=$(grep " $head " "$T/manifest")
    [ "$old" != "$new" ] || fail "$gen: editing $head did not re-bundle"

    # Add a revision on the head (in a new subdirectory): it is bundled.
    mkdir -p "$migs/later"
    cat >"$migs/later/f00d0000cafe_notes.sql" <<EOF
-- add a notes table
--
-- Revision ID: f00d0000cafe
-- Revises: $head

-- migrate:up
CREATE TABLE notes (id INTEGER);

-- migrate:down
DROP TABLE notes;
EOF
    build "adding a revision ($gen)"
    manifest
    grep -q "^revisions: $((n + 1))$" "$T/manifest" ||
        fail "$gen: adding a revision did not re-bundle"
    grep -q ' f00d0000cafe later/f00d0000cafe_notes.sql$' "$T/manifest" ||
        fail "$gen: the added revision is not in the manifest"
    # (a fresh database: app.db holds the edited revision's old checksum)
    "$app" -d "sqlite:$work/app2.db" up 2>"$T/up.err" ||
        { cat "$T/up.err" >&2; fail "$gen: up to the added revision failed"; }
    [ "$("$app" -d "sqlite:$work/app2.db" current)" = "f00d0000cafe (head)" ] ||
        fail "$gen: current is not the added revision after up"

    # Add one to an existing subdirectory (only that directory's mtime moves).
    sed 's/f00d0000cafe/f00d0000beef/; s/Revises: .*/Revises: f00d0000cafe/; s/notes/notes2/' \
        "$migs/later/f00d0000cafe_notes.sql" >"$migs/later/f00d0000beef_notes2.sql"
    build "adding a revision to a subdirectory ($gen)"
    manifest
    grep -q "^revisions: $((n + 2))$" "$T/manifest" ||
        fail "$gen: adding a revision in a subdirectory did not re-bundle"

    # Delete one: it is gone from the bundle.
    rm "$migs/later/f00d0000beef_notes2.sql"
    build "deleting a revision ($gen)"
    manifest
    grep -q "^revisions: $((n + 1))$" "$T/manifest" ||
        fail "$gen: deleting a revision did not re-bundle"
    grep -q 'f00d0000beef' "$T/manifest" && fail "$gen: deleted revision still bundled"

    # And a whole subdirectory.
    rm -r "$migs/later"
    build "deleting a directory ($gen)"
    manifest
    grep -q "^revisions: $n$" "$T/manifest" ||
        fail "$gen: deleting a directory did not re-bundle"
    echo "ok $gen"
done

echo "ok consumer_project"

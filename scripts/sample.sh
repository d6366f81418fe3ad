#!/usr/bin/env bash
# sample.sh -- build the sample bundle and apply it to its default database.
#
# Installs missing packages (scripts/deps.sh), builds the static
# dependencies once (scripts/static-deps.sh, cached), builds build/
# (Release) with MIGBUNDLE_STATIC, so build/app-migrate is one fully static
# file, then in samples/run/ runs its up, current and history on the
# bundled default database, sqlite:app.db (samples/run/app.db).
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    echo "+ $*" >&2
    "$@"
}

scripts/deps.sh
static_deps=$(run scripts/static-deps.sh)
run cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMIGBUNDLE_TESTS=OFF \
    -DMIGBUNDLE_STATIC=ON -DMIGBUNDLE_STATIC_DEPS="$static_deps"
run cmake --build build -j "$(nproc)"

mkdir -p samples/run
cd samples/run
run ../../build/app-migrate up
run ../../build/app-migrate current
run ../../build/app-migrate history

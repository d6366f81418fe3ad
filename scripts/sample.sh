#!/usr/bin/env bash
# sample.sh -- build the sample bundle and apply it to its default database.
#
# Installs missing packages (scripts/deps.sh), builds build/ (Release), then
# in samples/run/ runs app-migrate up, current and history on the bundled
# default database, sqlite:app.db (samples/run/app.db).
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    echo "+ $*" >&2
    "$@"
}

scripts/deps.sh
run cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMIGBUNDLE_TESTS=OFF
run cmake --build build -j "$(nproc)"

mkdir -p samples/run
cd samples/run
run ../../build/app-migrate up
run ../../build/app-migrate current
run ../../build/app-migrate history

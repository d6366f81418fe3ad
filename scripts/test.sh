#!/usr/bin/env bash
# test.sh -- the whole test suite, as CI runs it (.ci/run).
#
# Installs missing packages (scripts/deps.sh), builds the static
# dependencies once (scripts/static-deps.sh, cached; about 1.5 minutes the
# first time), then builds and runs ctest twice: build-test/ with warnings
# as errors and MIGBUNDLE_STATIC, as shipped (the sample app-migrate fully
# static, its test integration.static_chroot; the fuzzers' short runs),
# and build-asan/ with AddressSanitizer, UBSan and the fault points of
# MIGBUNDLE_FAULT_INJECTION (the fault walk, crash tests). Exits non-zero
# if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    echo "+ $*" >&2
    "$@"
}

jobs=$(nproc)

scripts/deps.sh
static_deps=$(run scripts/static-deps.sh)

run cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DMIGBUNDLE_WERROR=ON \
    -DMIGBUNDLE_STATIC=ON -DMIGBUNDLE_STATIC_DEPS="$static_deps"
run cmake --build build-test -j "$jobs"
(cd build-test && run ctest --output-on-failure -j2)

run cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
    -DMIGBUNDLE_SANITIZE=ON -DMIGBUNDLE_WERROR=ON -DMIGBUNDLE_FAULT_INJECTION=ON \
    -DMIGBUNDLE_STATIC=OFF
run cmake --build build-asan -j "$jobs"
(
    cd build-asan
    export ASAN_OPTIONS=detect_leaks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    echo "+ ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS" >&2
    run ctest --output-on-failure -j2
)

echo "test.sh: all tests passed" >&2

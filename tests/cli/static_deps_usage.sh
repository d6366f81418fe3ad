#!/usr/bin/env bash
# static_deps_usage.sh -- scripts/static-deps.sh refuses an unknown
# argument with its usage and exit status 2, before it looks at apt or
# the cache (so nothing is built or installed).
. "$(dirname "$0")/lib.sh"

script=$MB_SOURCE_DIR/scripts/static-deps.sh
for arg in --bogus musl "--musl --glibc"; do
    # shellcheck disable=SC2086
    MIGBUNDLE_STATIC_DEPS=$T/cache MIGBUNDLE_MUSL_DEPS=$T/cache run "$script" $arg
    expect_status 2
    expect_err "usage: static-deps.sh [--musl]"
    [ ! -e "$T/cache" ] || fail "'$arg' touched the cache directory"
done
echo "ok"

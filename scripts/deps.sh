#!/usr/bin/env bash
# deps.sh -- install the Debian 12 packages migbundle needs to build and test.
#
# Installs only what is missing (checked with dpkg-query), runs apt-get update
# only when something is missing, and prints nothing when all is present.
# Uses sudo when not run as root.
#
# libpg-query-dev is PostgreSQL's parser as a library: the bundler parses
# and lints the SQL that runs on PostgreSQL with it (linked into migbundle
# only, never into app-migrate), and the fuzzers compare the runtime's SQL
# splitter with it (tests/fuzz/); pgbouncer sits in front
# of the test server in tests/integration/pg_pgbouncer.sh.
# postgresql-15 is for the tests' throwaway server (tests/integration/
# pg_server.sh starts its own on a free port); Debian's default cluster that
# the package may start on 5432 is neither needed nor touched.
set -euo pipefail

packages=(
    build-essential cmake pkg-config
    libsqlite3-dev zlib1g-dev libxxhash-dev libpq-dev libssl-dev
    xxhash sqlite3
    clang valgrind time file
    postgresql-15 openssl pgbouncer libpg-query-dev
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    if [ "$status" != "installed" ]; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: apt-get not found; install these packages yourself: ${missing[*]}" >&2
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps.sh: not root and sudo not found; install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"

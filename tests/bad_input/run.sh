#!/usr/bin/env bash
# run.sh CASE -- one bad-input case for the bundler.
#
# tests/bad_input/CASE/ holds a revision tree in revisions/ and a file
# `expected`: its first line is "exit N", the rest is the exact stderr of
#   migbundle check revisions
# run from inside CASE/ (so paths in messages read "revisions/...").
# A case may also hold `setup.sh`, run first in a scratch copy of CASE/
# (for trees git cannot store: symlink loops, FIFOs, unreadable files).
# setup.sh may write a file `runner` holding a command prefix for
# migbundle (e.g. dropping root's privileges, which read anything), or
# exit 77 to skip the case, with the reason in a file `skip`.
set -u
case_name=$1
src="$MB_TEST_DIR/bad_input/$case_name"
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$src/." "$work/"
cd "$work" || exit 1
if [ -f setup.sh ]; then
    bash setup.sh
    setup_status=$?
    if [ "$setup_status" = 77 ]; then
        echo "skipped $case_name: $(cat skip 2>/dev/null)"
        exit 77
    fi
    [ "$setup_status" = 0 ] || { echo "setup.sh failed"; exit 1; }
fi
runner=()
if [ -f runner ]; then
    read -r -a runner <runner
fi
"${runner[@]}" "$MIGBUNDLE" check revisions >stdout 2>stderr
status=$?
want_status=$(head -n 1 expected | sed -n 's/^exit \([0-9]*\)$/\1/p')
tail -n +2 expected >want_stderr
ok=1
if [ "$status" != "$want_status" ]; then
    echo "exit status $status, expected $want_status"
    ok=0
fi
if ! diff -u want_stderr stderr; then
    echo "stderr differs (expected vs got above)"
    ok=0
fi
if [ -s stdout ]; then
    echo "unexpected stdout:"; cat stdout
    ok=0
fi
[ $ok = 1 ] && echo "ok $case_name"
[ $ok = 1 ]

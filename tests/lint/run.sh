#!/usr/bin/env bash
# run.sh CASE -- one case of the lint (bundler/lint.c, docs/lint.md).
#
# tests/lint/CASE/ holds a revision tree in revisions/ and two files of
# the same shape as tests/bad_input's `expected`: a first line "exit N",
# then the exact stderr of
#   migbundle check --no-sqlite revisions            (expected)
#   migbundle check --no-sqlite --strict revisions   (expected_strict)
# both run from inside CASE/, so that messages read "revisions/...". The
# revisions are fragments (the tables they alter are not created), so
# they are not replayed (--no-sqlite).
# A rule's case has a revision the rule flags, one with the safe rewrite
# it does not flag, and one whose finding a suppression silences.
set -u
case_name=$1
src="$MB_TEST_DIR/lint/$case_name"
ok=1
for mode in expected expected_strict; do
    args=(check --no-sqlite revisions)
    [ "$mode" = expected_strict ] && args=(check --no-sqlite --strict revisions)
    out=$(mktemp) err=$(mktemp) want=$(mktemp)
    (cd "$src" && "$MIGBUNDLE" "${args[@]}") >"$out" 2>"$err"
    status=$?
    want_status=$(head -n 1 "$src/$mode" | sed -n 's/^exit \([0-9]*\)$/\1/p')
    tail -n +2 "$src/$mode" >"$want"
    if [ "$status" != "$want_status" ]; then
        echo "${args[*]}: exit status $status, expected $want_status"
        ok=0
    fi
    if ! diff -u "$want" "$err"; then
        echo "${args[*]}: stderr differs (expected vs got above)"
        ok=0
    fi
    if [ -s "$out" ]; then
        echo "${args[*]}: unexpected stdout:"; cat "$out"
        ok=0
    fi
    rm -f "$out" "$err" "$want"
done
[ $ok = 1 ] && echo "ok $case_name"
[ $ok = 1 ]

#!/usr/bin/env bash
# runtime_valgrind.sh -- app-migrate's main paths under valgrind's memcheck:
# no invalid access, no leak. Skipped (exit 0 with a note) in sanitizer
# builds, where ASan already watches and valgrind cannot run.
. "$(dirname "$0")/lib.sh"

case "$MB_CFLAGS" in *sanitize*) echo "skipped: sanitizer build"; exit 0;; esac
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps.sh installs it)"
vg() { valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@"; }
# valgrind cannot follow a static glibc's malloc: run the sample bundle
# linked dynamically (the static app-migrate is the same code)
make_app "$MB_SOURCE_DIR/samples/migrations" "$T/app-migrate"
app=$T/app-migrate
db="sqlite:$T/v.db"
for args in "up" "current" "current --format json" "history" "heads --format json" \
            "verify" "manifest --format json" "down -2" "history -i -v -r -2:" \
            "current -v" "branches -v" "show head" "show zzz" "history -r zzz:" \
            "sql head --format json" "sql -1 --down" "down base" "up zzz" "up" \
            "up --sql" "down --sql head:base" "stamp --sql c25d:head" \
            "up --sql zzz:" "down --sql -1" "log" "log --format json" \
            "log --since 2026-01-01T00:00+02:00 --revision head" \
            "log --revision zzz" "log --since 2026-02-30"; do
    # shellcheck disable=SC2086
    run vg "$app" -d "$db" $args
    [ "$STATUS" != 99 ] || fail "valgrind found errors in: $args"
done
# a corrupt bundle (one digit of the digest changed): the self-check's
# refusals, read commands too, end without leaks
digest=$("$app" manifest | awk '$1 == "digest:" { print $2 }')
python3 - "$app" "$T/app.bad" "$digest" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
old = sys.argv[3].encode()
assert data.count(old) == 1, "the digest is not in the executable once"
new = old[:-1] + (b'1' if old[-1:] == b'0' else b'0')
open(sys.argv[2], 'wb').write(data.replace(old, new))
PY
chmod +x "$T/app.bad"
for args in "up" "current" "history" "manifest" "verify" "verify --format json" \
            "up --sql"; do
    # shellcheck disable=SC2086
    run vg "$T/app.bad" -d "$db" $args
    [ "$STATUS" = 3 ] || fail "valgrind, corrupt bundle: $args exited $STATUS"
done
# schema drift: a column added by hand, verify --drift, up --strict's
# refusal, up's warning, a stamp that records the schema as it is
"$app" -q -d "$db" up && "$app" -q -d "$db" down -1 ||
    fail "could not set up the drift cases"
sqlite3 "$T/v.db" "ALTER TABLE users ADD COLUMN vg_extra TEXT"
for args in "verify --drift" "verify --drift --format json" "up --strict" \
            "up" "verify --drift" "stamp heads"; do
    # shellcheck disable=SC2086
    run vg "$app" -d "$db" $args
    [ "$STATUS" != 99 ] || fail "valgrind found errors in: $args"
done
sqlite3 "$T/v.db" "ALTER TABLE users ADD COLUMN vg_more TEXT"
run vg "$app" -d "$db" stamp heads
[ "$STATUS" = 0 ] || fail "valgrind: a stamp that records a fingerprint"
run vg "$MIGBUNDLE" check "$MB_SOURCE_DIR/samples/migrations"
[ "$STATUS" = 0 ] || fail "valgrind: migbundle check"
run vg "$MIGBUNDLE" build "$MB_SOURCE_DIR/samples/migrations" -o "$T/b.c"
[ "$STATUS" = 0 ] || fail "valgrind: migbundle build"
# the authoring and graph commands, their refusals included
mkdir "$T/m"
for args in "revision -m first --rev-id a1" "revision -m second --branch-label x" \
            "revision -m side --head base --rev-id c3 --depends-on a1" \
            "revision -m z --head a1" "revision -m z --head nope" \
            "merge -m join heads" "merge -m j a1" "history -v" \
            "history -r a1: --format json" "heads -v" "branches -v"; do
    # shellcheck disable=SC2086
    run vg "$MIGBUNDLE" ${args%% *} "$T/m" ${args#* }
    [ "$STATUS" != 99 ] || fail "valgrind found errors in: migbundle $args"
done
echo "ok"

#!/usr/bin/env bash
# runtime_log.sh -- `log`: the log table's rows in text and JSON, checked
# against the table itself and the bundle's manifest; --since (formats,
# offsets, refusals), --revision (ids, prefixes, targets, and a revision
# removed from the bundle since); read-only (nothing created). Runs on
# both backends.
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL

revision aaa1 "" "create a" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
revision bbb2 aaa1 "create b" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;"
make_app "$T/revs" "$T/old"
revision ccc3 bbb2 "create c" "CREATE TABLE c (id INTEGER);" "DROP TABLE c;"
revision ddd4 ccc3 "broken" "INSERT INTO no_such_table VALUES (1);" ""
make_app "$T/revs" "$T/app"
app=$T/app
db=$(new_db log)

# read-only: an empty (or missing) database reads as an empty log and
# stays as it was
before=$(dump "$db")
run "$app" -d "$db" log
expect_status 0
[ "$(wc -l <"$OUT")" = 1 ] || fail "an empty log prints more than its header"
expect_out "STARTED (UTC)"
run "$app" -d "$db" log --format json
expect_status 0
echo '{"log": [], "rows": 0}' | expect_stdout
[ "$(dump "$db")" = "$before" ] || fail "log changed the database"

# three revisions up, then the fourth fails: its row has the error
run "$app" -d "$db" -q up bbb2
expect_status 0
sleep 0.05
mid=$(date +%s.%N)
sleep 0.05
run "$app" -d "$db" -q up
expect_status 1
run "$app" -d "$db" log --format json
expect_status 0
# every row of the table, in order, with the values it holds
sql "$db" "SELECT revision, direction, outcome, checksum, bundle_digest FROM migbundle_log ORDER BY id" >"$T/table"
[ "$(wc -l <"$T/table")" = 4 ] || fail "expected four log rows: $(cat "$T/table")"
grep -o '"revision": "[^"]*", "direction": "[^"]*", "outcome": "[^"]*"' "$OUT" |
    sed 's/"[a-z]*": "\([^"]*\)"/\1/g; s/, /|/g' >"$T/shown"
cut -d'|' -f1-3 "$T/table" | diff -u - "$T/shown" >&2 || fail "JSON rows differ from the table"
grep -q '"rows": 4}' "$OUT" || fail "JSON lacks the row count"
# checksums are the manifest's, the digest the bundle's
"$app" manifest >"$T/manifest"
digest=$(sed -n 's/^digest: \([0-9a-f]*\) .*/\1/p' "$T/manifest")
[ -n "$digest" ] || fail "manifest has no digest"
while IFS='|' read -r rev dir outcome sum dg; do
    grep -q "^$sum $rev " "$T/manifest" || fail "$rev: checksum $sum is not the manifest's"
    [ "$dg" = "$digest" ] || fail "$rev: bundle digest $dg is not $digest"
    grep -qF "\"checksum\": \"$sum\", \"bundle_digest\": \"$dg\"" "$OUT" ||
        fail "$rev $dir $outcome: JSON lacks its checksum and digest"
done <"$T/table"
grep -q '"outcome": "failed", "started_at": "[0-9T:.-]*Z", "finished_at": "[0-9T:.-]*Z", "checksum": "[0-9a-f]*", "bundle_digest": "[0-9a-f]*", "error": "[^"]' "$OUT" ||
    fail "the failed row lacks its times or error"
[ "$(grep -c '"error": null' "$OUT")" = 3 ] || fail "an ok row has an error"
[ "$(grep -c '"id": [0-9][0-9]*,' "$OUT")" = 4 ] || fail "rows without their id"

# text: a header, then one aligned line per row, its checksum and digest
# abbreviated, the error on the failed row's line
run "$app" -d "$db" log
expect_status 0
[ "$(wc -l <"$OUT")" = 5 ] || fail "text: expected a header and four lines"
while IFS='|' read -r rev dir outcome sum dg; do
    grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z  $dir +$rev +$outcome +${sum:0:12}  ${dg:0:12}" "$OUT" ||
        fail "text lacks the row $rev $dir $outcome"
done <"$T/table"
grep -E "  ddd4 +failed .*no_such_table" "$OUT" >/dev/null || fail "text: the error is not on its row"
col=$(head -1 "$OUT" | grep -bo REVISION | cut -d: -f1)
tail -n +2 "$OUT" >"$T/lines"
while read -r line; do
    if [ -z "${line:$col:4}" ] || [ "${line:$((col - 1)):1}" != " " ]; then
        fail "text: columns not aligned: $line"
    fi
done <"$T/lines"

# shows EXE SPEC REV...: `log --revision SPEC` shows the rows of REV...,
# in that order (none: no row)
shows() {
    local exe=$1 spec=$2
    shift 2
    run "$exe" -d "$db" log --revision "$spec" --format json
    expect_status 0
    { grep -o '"revision": "[^"]*"' "$OUT" || true; } | cut -d'"' -f4 |
        tr '\n' ' ' >"$T/got"
    [ "$(cat "$T/got")" = "${*:+$* }" ] ||
        fail "--revision $spec: rows of \"$(cat "$T/got")\", expected \"$*\""
    grep -q "\"rows\": $#}" "$OUT" || fail "--revision $spec: the count is not $#"
}

# --revision: an id, a prefix, heads; base names none
shows "$app" bbb2 bbb2
shows "$app" dd ddd4
shows "$app" heads ddd4
shows "$app" base
run "$app" -d "$db" log --revision zzz9
expect_status 2
expect_err "zzz9"

# a revision no longer bundled: by its whole id only, when it has rows
shows "$T/old" ccc3 ccc3
run "$T/old" -d "$db" log --revision cc
expect_status 2
run "$T/old" -d "$db" log --revision eee5
expect_status 2
expect_err "whole id"

# --since: the runs after $mid only, whichever way the time is written
utc=$(date -u -d "@$mid" +%Y-%m-%dT%H:%M:%S.%6NZ)
east=$(TZ=Etc/GMT-2 date -d "@$mid" +%Y-%m-%dT%H:%M:%S.%6N+02:00)
west=$(TZ=Etc/GMT+5 date -d "@$mid" +%Y-%m-%dT%H:%M:%S.%6N-0500)
for since in "$utc" "$east" "$west"; do
    run "$app" -d "$db" log --since "$since" --format json
    expect_status 0
    grep -o '"revision": "[^"]*"' "$OUT" | tr '\n' ' ' >"$T/got"
    [ "$(cat "$T/got")" = '"revision": "ccc3" "revision": "ddd4" ' ] ||
        fail "--since $since: $(cat "$T/got")"
done
run "$app" -d "$db" log --since 2000-01-01 --revision aaa1 --format json
expect_status 0
grep -q '"rows": 1}' "$OUT" || fail "--since a date long ago and --revision"
run "$app" -d "$db" log --since "9999-12-31 23:59"
expect_status 0
[ "$(wc -l <"$OUT")" = 1 ] || fail "--since the future shows rows"
for bad in yesterday 2026-02-30 2026-1-01 2026-01-01T24:00 2026-01-01T10 \
           2026-01-01T10:00+2 2026-01-01T10:00:00. 2026-01-01Z "2026-01-01 10:00 "; do
    run "$app" -d "$db" log --since "$bad"
    expect_status 2
    expect_err "invalid --since"
done
run "$app" -d "$db" up --since 2026-01-01
expect_status 2
expect_err "--since is for log"
[ "$(sql "$db" "SELECT count(*) FROM migbundle_log")" = 4 ] || fail "log wrote rows"
echo ok

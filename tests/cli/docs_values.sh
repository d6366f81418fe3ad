#!/usr/bin/env bash
# docs_values.sh -- every checksum and digest quoted in the docs (docs/*.md,
# README.md, man/*.1) is one the current sources produce, computed here
# at test time, never written into this test:
#   - a 32-hex value must be a checksum of a sample revision, the
#     sample's bundle digest or its bundle metadata checksum (app-migrate
#     manifest of samples/migrations);
#   - an abbreviated one (8 to 31 hex digits, a letter and a digit among
#     them: `d2cbbd8b6367`, `d2cbbd8b…`) must begin one of those values or
#     be a revision id;
#   - inside the fenced block that follows a line holding the marker
#     "docs-values: example", the values are instead those of the docs'
#     example graph, tests/cli/docs_example (a1 to f6), and of that graph
#     with d4 edited after it was applied (the tamper examples): its files
#     are bundled here, and the edit is the one below.
# A checker that finds nothing fails, and a stale value planted in a copy
# of a page must be reported.
. "$(dirname "$0")/lib.sh"

# values FILE EXE: the checksums, the digest and the bundle metadata
# checksum of EXE's manifest, then its revision ids (prefixed "id "), one
# a line
values() {
    "$2" manifest >"$T/manifest" || fail "manifest of $2"
    sed -n 's/^\(digest\|metadata\): \([0-9a-f]\{32\}\) .*/\2/p' \
        "$T/manifest" >>"$1"
    awk 'f {print $1; print "id " $2} /^revisions: /{f=1}' "$T/manifest" >>"$1"
}

# as the top-level CMakeLists.txt builds the sample (its metadata
# checksum covers the name and the default URL)
make_app "$MB_SOURCE_DIR/samples/migrations" "$T/sample" \
    --default-db sqlite:app.db
: >"$T/sample.values"
values "$T/sample.values" "$T/sample"
make_app "$MB_SOURCE_DIR/tests/cli/docs_example" "$T/example"
: >"$T/example.values"
values "$T/example.values" "$T/example"
# the tamper examples: d4 gains a column after it was applied
cp -R "$MB_SOURCE_DIR/tests/cli/docs_example" "$T/edited"
sed -i 's/^CREATE TABLE accounts (id INTEGER PRIMARY KEY);$/CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT);/' \
    "$T/edited/d4_x.sql"
cmp -s "$T/edited/d4_x.sql" "$MB_SOURCE_DIR/tests/cli/docs_example/d4_x.sql" &&
    fail "the tamper edit changed nothing"
make_app "$T/edited" "$T/edited-app"
values "$T/example.values" "$T/edited-app"
[ "$(grep -c '^[0-9a-f]\{32\}$' "$T/sample.values")" -gt 1 ] ||
    fail "the sample's manifest gave no values"

# check FILE...: "FILE:LINE: VALUE (why)" for each value not allowed;
# the last line is "checked N"
check() {
    LC_ALL=C awk -v sample="$T/sample.values" -v example="$T/example.values" '
    BEGIN {
        while ((getline v < sample) > 0) add("S", v)
        while ((getline v < example) > 0) add("E", v)
    }
    function add(set, v) {
        if (v ~ /^id /) ids[set, substr(v, 4)] = 1
        else { full[set, v] = 1; nfull[set]++; list[set, nfull[set]] = v }
    }
    function known(set, w,    i) {
        if (length(w) == 32) return (set, w) in full
        if ((set, w) in ids) return 1
        for (i = 1; i <= nfull[set]; i++)
            if (index(list[set, i], w) == 1) return 1
        return 0
    }
    FNR == 1 { block = 0; marked = 0; pending = 0 }
    /docs-values: example/ { pending = 1 }
    /^ *```/ {
        if (!block) { block = 1; marked = pending; pending = 0 }
        else { block = 0; marked = 0 }
        next
    }
    {
        line = $0
        if (FILENAME ~ /\.1$/) gsub(/\\f[BIRP]|\\-/, " ", line)
        set = marked ? "E" : "S"
        while (match(line, /[0-9A-Za-z_]+/)) {
            w = substr(line, RSTART, RLENGTH)
            line = substr(line, RSTART + RLENGTH)
            if (w !~ /^[0-9a-f]+$/ || length(w) < 8 || length(w) > 32 ||
                (length(w) < 32 && (w !~ /[a-f]/ || w !~ /[0-9]/)))
                continue
            n++
            why = set == "E" ? "example graph" : "sample"
            if (!known(set, w))
                printf "%s:%d: %s (not a value of the %s)\n", FILENAME, FNR,
                    w, why
        }
    }
    END { print "checked " n + 0 }' "$@"
}

cd "$MB_SOURCE_DIR" || fail "no $MB_SOURCE_DIR"
check docs/*.md README.md man/*.1 >"$T/result"
n=$(sed -n 's/^checked //p' "$T/result")
[ "$n" -gt 20 ] || fail "only $n values found in the docs"
if grep -v '^checked ' "$T/result" >"$T/problems"; then
    cat "$T/problems" >&2
    fail "stale checksums or digests in the docs (above)"
fi

# the checker reports a value that is no longer produced, in and out of an
# example block, and one that belongs to the other set
sum=$(grep -m1 '^[0-9a-f]\{32\}$' "$T/sample.values")
stale=$(printf '%s' "$sum" | tr '0-9a-f' '1-9a-f0')
{
    printf 'the digest %s\n' "$stale"
    printf 'abbreviated %s…\n' "${stale:0:10}"
    fence='```'
    printf '<!-- docs-values: example -->\n%s\n%s\n%s\n' "$fence" "$sum" "$fence"
    printf '%s\n%s\n%s\n' "$fence" "$sum" "$fence"
} >"$T/planted.md"
check "$T/planted.md" >"$T/result"
[ "$(grep -c '(not a value' "$T/result")" = 3 ] ||
    fail "the checker missed a planted value: $(cat "$T/result")"
echo "ok ($n values)"

#!/usr/bin/env bash
# bundler_compile.sh -- the generated C for revisions full of awkward
# strings (quotes, backslashes, trigraphs, comment markers, non-ASCII
# UTF-8, payloads longer than C's 4095-character literal minimum) compiles
# warning-free with gcc and clang at -std=c11 -Wall -Wextra -Wpedantic
# -Werror, and every string and payload reads back byte for byte.
. "$(dirname "$0")/lib.sh"

tree=$T/tree
mkdir -p "$tree/dir with spaces" "$tree/ünï/??=" "$tree/q\"uote"
tricky() { # tricky PATH ID PARENT MESSAGE [EXTRA-UP-LINES]
    {
        printf -- '-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n' \
            "$4" "$2" "$3"
        printf -- '-- Create Date: 2026-01-01 "??=" \\ 12:00\n'
        printf -- '-- Branch Labels:\n-- Depends On:\n\n-- migrate:up\n'
        printf -- "CREATE TABLE t_%s (s TEXT DEFAULT '\"??/ \\\\ */');\n" "$2"
        if [ $# -ge 5 ]; then printf -- '%s\n' "$5"; fi
        printf -- '\n-- migrate:down\nDROP TABLE t_%s;\n' "$2"
    } >"$tree/$1"
}
# Random text deflates poorly: > 4095 bytes of zlib output.
noise=$(head -c 9000 /dev/urandom | base64 -w 70 | sed 's/^/-- /')
tricky 'a1_quote"s.sql' a1 "" \
    'say "hello" to the \ backslash \\ twice'
tricky 'dir with spaces/b2 sp ace.sql' b2 a1 \
    'trigraphs ??= ??/ ??'"'"' ??( ??) ??! ??< ??> ??- and ?\?'
tricky 'ünï/??=/c3_ü.sql' c3 b2 \
    'comment markers */ /* // and UTF-8: é ß 日本語 🚀'
tricky 'q"uote/d4_back\slash.sql' d4 c3 \
    'octal lookalikes \0 \101 \x41 \u0041 %s %n' "$noise"
tricky 'e5_tab.sql' e5 d4 'a	tab, a trailing question mark?'

name='my "app"\migrate??='
db='sqlite:/tmp/we "ird"\path??/app.db'
run "$MIGBUNDLE" build "$tree" -o "$T/bundle.c" --name "$name" \
    --default-db "$db"
expect_status 0
big=$(sed -n 's/.*static const unsigned char mb_z_d4\[\([0-9]*\) + 1\].*/\1/p' \
    "$T/bundle.c")
[ -n "$big" ] && [ "$big" -gt 4095 ] ||
    fail "the large payload is only '$big' bytes compressed; want > 4095"
awk 'length > 80 { bad = 1 } END { exit bad }' "$T/bundle.c" ||
    fail "the generated file has lines over 80 columns"
# \x is greedy; an x after an odd number of backslashes would be one.
grep -qE '(^|[^\\])(\\\\)*\\x' "$T/bundle.c" && fail "a \\x escape was emitted"

flags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -I "$MB_SOURCE_DIR/runtime/include")
compiled=0
for cc in gcc clang; do
    if ! command -v "$cc" >/dev/null; then
        echo "skipped $cc: not installed"
        continue
    fi
    "$cc" "${flags[@]}" -c "$T/bundle.c" -o "$T/bundle_$cc.o" 2>"$T/$cc.err" ||
        { cat "$T/$cc.err" >&2; fail "$cc rejected the generated file"; }
    [ ! -s "$T/$cc.err" ] || { cat "$T/$cc.err" >&2; fail "$cc warned"; }
    compiled=$((compiled + 1))
    echo "ok $cc -std=c11 -Wall -Wextra -Wpedantic -Werror"
done
command -v gcc >/dev/null || fail "gcc is required"

# Read everything back: strings as stored, payloads inflated.
cat >"$T/readback.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include "mb/bundle.h"

extern const mb_bundle mb_embedded_bundle;

int main(int argc, char **argv)
{
    const mb_bundle *b = &mb_embedded_bundle;
    unsigned i;

    if (argc != 2 || b->magic != MB_BUNDLE_MAGIC ||
        b->abi != MB_BUNDLE_ABI_VERSION)
        return 2;
    printf("name=%s\ndefault_db=%s\n", b->name, b->default_db);
    for (i = 0; i < b->n_revisions; i++) {
        const mb_revision *r = &b->revisions[i];
        unsigned char *raw = malloc(r->raw_len + 1);
        uLongf n = (uLongf)r->raw_len;
        char name[4096];
        FILE *f;

        printf("path=%s\nmessage=%s\ndate=%s\n", r->path, r->message,
               r->create_date);
        if (raw == NULL || r->data[r->z_len] != '\0' ||
            uncompress(raw, &n, r->data, (uLong)r->z_len) != Z_OK ||
            n != r->raw_len)
            return 3;
        snprintf(name, sizeof name, "%s/%u", argv[1], i);
        f = fopen(name, "wb");
        if (f == NULL || fwrite(raw, 1, n, f) != n || fclose(f) != 0)
            return 4;
        free(raw);
    }
    return 0;
}
EOF
gcc -std=c11 -I "$MB_SOURCE_DIR/runtime/include" -o "$T/readback" \
    "$T/readback.c" "$T/bundle_gcc.o" -lz || fail "could not link readback"
mkdir "$T/payloads"
"$T/readback" "$T/payloads" >"$T/strings" || fail "readback failed ($?)"

{
    printf 'name=%s\ndefault_db=%s\n' "$name" "$db"
    i=0
    (cd "$tree" && find . -type f -name '*.sql' | sed 's|^\./||' |
        LC_ALL=C sort) >"$T/paths"
    while IFS= read -r p; do
        printf 'path=%s\nmessage=%s\n' "$p" "$(head -n 1 "$tree/$p" | cut -c4-)"
        printf -- 'date=2026-01-01 "??=" \\ 12:00\n'
        cmp "$tree/$p" "$T/payloads/$i" || fail "payload $i ($p) differs"
        i=$((i + 1))
    done <"$T/paths"
} >"$T/want"
diff "$T/want" "$T/strings" || fail "a string did not read back as written"
[ "$(wc -l <"$T/paths")" = 5 ] || fail "expected 5 revisions"

echo "ok bundler_compile ($compiled compilers)"

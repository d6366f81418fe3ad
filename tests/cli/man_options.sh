#!/usr/bin/env bash
# man_options.sh -- the man pages are kept in step with --help.
#
# For migbundle(1) (`migbundle --help` and each command's --help)
# and app-migrate(1) (`$APP_MIGRATE --help`):
#   - the options each help defines (its option column: "-d, --db=URL",
#     "--applied, --rolled-back") equal those the page defines (the tags of
#     the .TP paragraphs under .SH OPTIONS; for migbundle per .SS section:
#     "Options of migbundle", "Options of build", "Options of check");
#   - the commands of the help's "Commands:" list equal the first words of
#     the .TP tags under .SH COMMANDS;
#   - every --option mentioned anywhere in the page appears in the help
#     text of migbundle or app-migrate (the pages refer to each other), or
#     is one of another program's options listed in $foreign below (no
#     stale options in prose or examples);
#   - the version in .TH is the one --version prints;
#   - groff renders each page without warnings (when groff is installed).
# Fails with the list of differences.
. "$(dirname "$0")/lib.sh"

man_dir=$MB_SOURCE_DIR/man
problems=$T/problems
: >"$problems"

# help_options: the options defined in a --help text on stdin, one a line.
help_options() {
    grep -E '^ +(-[A-Za-z], +)?--[a-z]' |
        sed -E 's/^ +//; s/(  |=| [a-z(]).*//' |
        grep -oE -- '(^|[ ,])--?[A-Za-z][a-z-]*' | tr -d ' ,' | LC_ALL=C sort -u
}

# help_commands: the first word of each line of the "Commands:" list.
help_commands() {
    sed -n '/^Commands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' |
        LC_ALL=C sort -u
}

# roff_text: a roff line with escapes and macros reduced to plain text.
roff_text() {
    sed -E 's/^\.[A-Za-z]+ ?//; s/\\-/-/g; s/\\f[BIRP]//g; s/\\f\(..//g;
            s/\\[&%c]//g; s/\\e/\\/g; s/"//g'
}

# man_tags PAGE SECTION [SUBSECTION]: the .TP tag lines (as text) under
# .SH SECTION (and .SS SUBSECTION when given).
man_tags() {
    awk -v sh="$2" -v ss="${3-}" '
        /^\.SH / { s = substr($0, 5); gsub(/"/, "", s); in_sh = (s == sh); in_ss = (ss == ""); next }
        /^\.SS / { s = substr($0, 5); gsub(/"/, "", s); if (ss != "") in_ss = (s == ss); next }
        in_sh && in_ss && /^\.TP/ { tag = 1; next }
        tag { print; tag = 0 }' "$1" | roff_text
}

man_options() { # PAGE SECTION [SUBSECTION]
    man_tags "$@" | grep -oE -- '(^|[ ,])--?[A-Za-z][a-z-]*' | tr -d ' ,' |
        LC_ALL=C sort -u
}

man_commands() { # PAGE
    man_tags "$1" COMMANDS | awk '{print $1}' | LC_ALL=C sort -u
}

# compare WHAT HELP_LIST MAN_LIST: record both directions of difference.
compare() {
    local what=$1
    comm -23 "$2" "$3" | sed "s|^|$what: in --help, not in the man page: |" >>"$problems"
    comm -13 "$2" "$3" | sed "s|^|$what: in the man page, not in --help: |" >>"$problems"
}

check_page_basics() { # PAGE VERSION_LINE
    local page=$1 version=$2 th
    [ -f "$page" ] || { echo "missing man page: $page" >>"$problems"; return; }
    th=$(sed -n 's/^\.TH .*"migbundle \([^"]*\)".*/\1/p' "$page")
    [ "$th" = "$version" ] ||
        echo "$(basename "$page"): .TH says migbundle \"$th\", --version says \"$version\"" >>"$problems"
    if command -v groff >/dev/null; then
        if ! groff -man -Tutf8 -ww -z "$page" 2>"$T/groff.err" || [ -s "$T/groff.err" ]; then
            sed "s|^|$(basename "$page"): groff: |" "$T/groff.err" >>"$problems"
        fi
    else
        echo "skipped the groff check: groff not installed"
    fi
}

# Options of other programs the pages mention: cmake --install.
foreign="--install"

# mentions PAGE: every --option in the page is in a help text.
mentions() {
    roff_text <"$1" | grep -oE -- '--[a-z][a-z-]*' | LC_ALL=C sort -u >"$T/mentioned"
    { cat "$T"/*.help; printf '%s\n' $foreign; } |
        grep -oE -- '--[a-z][a-z-]*' | LC_ALL=C sort -u >"$T/known"
    comm -23 "$T/mentioned" "$T/known" |
        sed "s|^|$(basename "$1"): mentions an option no --help knows: |" >>"$problems"
}

# --- migbundle ------------------------------------------------------------
page=$man_dir/migbundle.1
version=$("$MIGBUNDLE" --version | sed 's/^migbundle //')
check_page_basics "$page" "$version"
"$MIGBUNDLE" --help >"$T/mb.help"
for c in build check revision merge history heads branches; do
    "$MIGBUNDLE" "$c" --help >"$T/mb-$c.help"
done
if [ -f "$page" ]; then
    help_options <"$T/mb.help" >"$T/h"
    man_options "$page" OPTIONS "Options of migbundle" >"$T/m"
    compare "migbundle" "$T/h" "$T/m"
    for c in build check revision merge history; do
        help_options <"$T/mb-$c.help" >"$T/h"
        section="Options of $c"
        [ "$c" = history ] && section="Options of history, heads and branches"
        man_options "$page" OPTIONS "$section" >"$T/m"
        compare "migbundle $c" "$T/h" "$T/m"
    done
    # heads and branches take history's options but -r
    for c in heads branches; do
        help_options <"$T/mb-$c.help" >"$T/h"
        man_options "$page" OPTIONS "Options of history, heads and branches" |
            grep -vx -- '-r\|--rev-range' >"$T/m"
        compare "migbundle $c" "$T/h" "$T/m"
    done
    help_commands <"$T/mb.help" >"$T/h"
    man_commands "$page" >"$T/m"
    compare "migbundle commands" "$T/h" "$T/m"
fi

# --- app-migrate ------------------------------------------------------------
page=$man_dir/app-migrate.1
version=$("$APP_MIGRATE" --version | sed -n 's/.*(migbundle \([^,]*\),.*/\1/p')
check_page_basics "$page" "$version"
"$APP_MIGRATE" --help >"$T/app.help"
if [ -f "$page" ]; then
    help_options <"$T/app.help" >"$T/h"
    man_options "$page" OPTIONS >"$T/m"
    compare "app-migrate" "$T/h" "$T/m"
    help_commands <"$T/app.help" >"$T/h"
    man_commands "$page" >"$T/m"
    compare "app-migrate commands" "$T/h" "$T/m"
fi
for page in "$man_dir"/migbundle.1 "$man_dir"/app-migrate.1; do
    [ -f "$page" ] && mentions "$page"
done

# The extraction itself must have found something (a changed help layout
# would otherwise pass as "no differences").
[ "$(help_options <"$T/app.help" | wc -l)" -ge 10 ] ||
    echo "found fewer than 10 options in app-migrate --help: the test's parser is out of date" >>"$problems"
[ "$(help_commands <"$T/app.help" | wc -l)" -ge 8 ] ||
    echo "found fewer than 8 commands in app-migrate --help: the test's parser is out of date" >>"$problems"
[ "$(help_options <"$T/mb-build.help" | wc -l)" -ge 4 ] ||
    echo "found fewer than 4 options in migbundle build --help: the test's parser is out of date" >>"$problems"

if [ -s "$problems" ]; then
    echo "FAIL: the man pages and --help differ:" >&2
    cat "$problems" >&2
    exit 1
fi
echo "ok man_options"

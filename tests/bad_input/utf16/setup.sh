# setup.sh -- a revision file saved as UTF-16 (little endian, with BOM),
# as some Windows editors do.
mkdir -p revisions
printf '\377\376' >revisions/a1_first.sql
printf -- '-- create users\n--\n-- Revision ID: a1\n\n-- migrate:up\n' |
    iconv -f UTF-8 -t UTF-16LE >>revisions/a1_first.sql

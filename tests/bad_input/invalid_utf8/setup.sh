# setup.sh -- a revision file saved as Latin-1: the 0xe9 of "café" on
# line 7 is not UTF-8.
mkdir -p revisions
printf -- '-- create places\n--\n-- Revision ID: a1\n-- Revises:\n\n' \
    >revisions/a1_first.sql
printf -- "-- migrate:up\nINSERT INTO places VALUES ('caf\351');\n" \
    >>revisions/a1_first.sql

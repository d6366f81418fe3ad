# setup.sh -- a revision file with a NUL byte on line 7 (git would see a
# binary file, so it is written here).
mkdir -p revisions
printf -- '-- create users\n--\n-- Revision ID: a1\n-- Revises:\n\n' \
    >revisions/a1_first.sql
printf -- '-- migrate:up\nCREATE TABLE users (id integer\000);\n' \
    >>revisions/a1_first.sql

# setup.sh -- a revision file with CRLF line endings and a UTF-8 BOM: the
# error names the same line as it would with LF endings (line 6).
mkdir -p revisions
printf '\357\273\277-- create users\r\n--\r\n-- Revision ID: a1\r\n' \
    >revisions/a1_first.sql
printf -- '-- Revises:\r\n\r\nCREATE TABLE users (id integer);\r\n' \
    >>revisions/a1_first.sql
printf -- '-- migrate:up\r\nSELECT 1;\r\n' >>revisions/a1_first.sql

-- a new table, renamed
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE notes_tmp (id integer);
ALTER TABLE notes_tmp RENAME TO notes;

-- migrate:down
DROP TABLE notes;

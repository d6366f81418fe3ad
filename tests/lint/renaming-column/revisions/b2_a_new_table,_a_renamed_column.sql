-- a new table, a renamed column
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE notes (id integer, txt text);
ALTER TABLE notes RENAME COLUMN txt TO body;

-- migrate:down
DROP TABLE notes;

-- a new table, retyped
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE notes (id integer, body varchar(100));
ALTER TABLE notes ALTER COLUMN body TYPE text;

-- migrate:down
DROP TABLE notes;

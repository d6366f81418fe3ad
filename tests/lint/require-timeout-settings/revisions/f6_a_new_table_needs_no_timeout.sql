-- a new table needs no timeout
--
-- Revision ID: f6
-- Revises: e5
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE notes (id integer);
ALTER TABLE notes ADD COLUMN body text;

-- migrate:down
DROP TABLE notes;

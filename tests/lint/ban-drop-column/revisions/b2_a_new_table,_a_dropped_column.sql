-- a new table, a dropped column
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE notes (id integer, scratch text);
ALTER TABLE notes DROP COLUMN scratch;

-- migrate:down
DROP TABLE notes;

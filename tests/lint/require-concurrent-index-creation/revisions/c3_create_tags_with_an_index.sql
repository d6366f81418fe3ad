-- create tags with an index
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE tags (id integer PRIMARY KEY, name text NOT NULL);
CREATE INDEX ix_tags_name ON tags (name);

-- migrate:down
DROP TABLE tags;

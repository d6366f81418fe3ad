-- index tags by name
--
-- Revision ID: b2
-- Revises:
-- Create Date: 2026-02-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);

-- migrate:down
DROP TABLE tags;

-- migrate:up transaction:false dialect:postgresql
CREATE TABLE tags (id integer GENERATED ALWAYS AS IDENTITY, name text);
CREATE INDEX CONCURRENTLY ix_tags_name
    ON tags USING btree (name) WHERE name IS NOT NULL NULLS LAST;

-- migrate:down dialect:postgresql
DROP TABLE tags;

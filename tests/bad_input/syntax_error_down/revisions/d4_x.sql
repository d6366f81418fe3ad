-- a typo in the down section
--
-- Revision ID: d4
-- Revises:
-- Create Date: 2026-02-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE tags (id integer);

-- migrate:down
DROP TABEL tags;

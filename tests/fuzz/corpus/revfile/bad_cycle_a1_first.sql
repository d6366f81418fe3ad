-- revision a1
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-01-01 00:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE t_a1 (id INTEGER);

-- migrate:down
DROP TABLE t_a1;

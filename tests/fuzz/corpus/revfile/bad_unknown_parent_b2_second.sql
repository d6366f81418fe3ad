-- revision b2
--
-- Revision ID: b2
-- Revises: a9
-- Create Date: 2026-01-01 00:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE t_b2 (id INTEGER);

-- migrate:down
DROP TABLE t_b2;

-- revision c3
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-01-01 00:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE t_c3 (id INTEGER);

-- migrate:down
DROP TABLE t_c3;

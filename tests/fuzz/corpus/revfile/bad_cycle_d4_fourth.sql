-- revision d4
--
-- Revision ID: d4
-- Revises: c3
-- Create Date: 2026-01-01 00:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE t_d4 (id INTEGER);

-- migrate:down
DROP TABLE t_d4;

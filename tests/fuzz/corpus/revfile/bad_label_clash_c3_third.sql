-- revision c3
--
-- Revision ID: c3
-- Revises: a1
-- Create Date: 2026-01-01 00:00:00
-- Branch Labels: billing, accounts
-- Depends On:

-- migrate:up
CREATE TABLE t_c3 (id INTEGER);

-- migrate:down
DROP TABLE t_c3;

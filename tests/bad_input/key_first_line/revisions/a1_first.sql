-- Revision ID: a1
-- Revises:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE t (x int);

-- migrate:down
DROP TABLE t;

-- stable defaults
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN score integer NOT NULL DEFAULT 0;

-- migrate:down
ALTER TABLE users DROP COLUMN score;
ALTER TABLE users DROP COLUMN seen_at;

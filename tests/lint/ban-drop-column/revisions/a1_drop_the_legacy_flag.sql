-- drop the legacy flag
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE users DROP COLUMN legacy_flag;

-- migrate:down
ALTER TABLE users ADD COLUMN legacy_flag boolean;

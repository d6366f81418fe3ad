-- drop the creation time index
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow require-concurrent-index-deletion the index is invalid and unused
DROP INDEX ix_users_created_at;

-- migrate:down
CREATE INDEX ix_users_created_at ON users (created_at);

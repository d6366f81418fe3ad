-- index users by creation time
--
-- Revision ID: d4
-- Revises: c3
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow require-concurrent-index-creation users holds a few hundred rows
CREATE INDEX ix_users_created_at ON users (created_at);

-- migrate:down
DROP INDEX ix_users_created_at;

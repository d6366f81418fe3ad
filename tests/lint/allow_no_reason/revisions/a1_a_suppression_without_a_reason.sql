-- a suppression without a reason
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow require-concurrent-index-creation
CREATE INDEX ix_users_email ON users (email);

-- migrate:down
DROP INDEX ix_users_email;

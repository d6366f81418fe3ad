-- concurrent index outside a transaction
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY ix_users_name ON users (name);
REINDEX INDEX CONCURRENTLY ix_users_email;

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY ix_users_name;

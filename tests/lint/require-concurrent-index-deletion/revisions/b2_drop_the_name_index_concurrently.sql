-- drop the name index concurrently
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
SET lock_timeout = '2s';
DROP INDEX CONCURRENTLY ix_users_name;

-- migrate:down transaction:false
CREATE INDEX CONCURRENTLY ix_users_name ON users (name);

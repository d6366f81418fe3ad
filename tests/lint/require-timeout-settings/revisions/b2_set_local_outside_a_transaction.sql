-- SET LOCAL outside a transaction
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
SET LOCAL lock_timeout = '2s';
CREATE INDEX CONCURRENTLY ix_users_bio ON users (bio);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY ix_users_bio;

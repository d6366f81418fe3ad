-- a session timeout
--
-- Revision ID: e5
-- Revises: d4
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
SET lock_timeout = 2000;
CREATE INDEX CONCURRENTLY ix_users_phone ON users (phone);
RESET lock_timeout;

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY ix_users_phone;

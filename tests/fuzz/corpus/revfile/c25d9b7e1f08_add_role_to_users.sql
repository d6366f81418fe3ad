-- add role column to users
--
-- Revision ID: c25d9b7e1f08
-- Revises: 8e41f0a6c93b
-- Create Date: 2026-01-16 10:00:00
-- Branch Labels:
-- Depends On:
--
-- The new column is NOT NULL, so it needs a server-side default: existing
-- rows get 'member' and no separate backfill is needed.
-- SQLite refuses to drop an indexed column, so the down drops the index
-- first.

-- migrate:up
ALTER TABLE users ADD COLUMN role VARCHAR(20) NOT NULL DEFAULT 'member';
CREATE INDEX ix_users_role ON users (role);

-- migrate:down
DROP INDEX ix_users_role;
ALTER TABLE users DROP COLUMN role;

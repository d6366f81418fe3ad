-- a suppression covers one statement only
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow require-concurrent-index-creation users is small
CREATE INDEX ix_users_email ON users (email);
CREATE INDEX ix_users_name ON users (name);
ALTER TABLE users
    -- migbundle:allow ban-drop-column inside the statement it silences
    DROP COLUMN legacy;

-- migrate:down
DROP INDEX ix_users_name;
DROP INDEX ix_users_email;

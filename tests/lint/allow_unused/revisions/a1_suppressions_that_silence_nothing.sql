-- suppressions that silence nothing
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow ban-drop-column no column is dropped here
CREATE INDEX ix_users_email ON users (email);
-- migbundle:allow ban-drop-table nothing follows

-- migrate:down
DROP INDEX ix_users_email;

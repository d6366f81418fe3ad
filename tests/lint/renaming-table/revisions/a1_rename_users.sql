-- rename users
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE users RENAME TO accounts;

-- migrate:down
ALTER TABLE accounts RENAME TO users;

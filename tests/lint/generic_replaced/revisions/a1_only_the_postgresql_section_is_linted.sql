-- only the PostgreSQL section is linted
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE INDEX ix_users_email ON users (email);

-- migrate:up transaction:false dialect:postgresql
SET lock_timeout = '2s';
CREATE INDEX CONCURRENTLY ix_users_email ON users (email);

-- migrate:down
DROP INDEX ix_users_email;

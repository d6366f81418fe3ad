-- index users.email_normalized
--
-- Revision ID: 09c6f2e8a4b1
-- Revises: e93a4b6d15f0
-- Create Date: 2026-01-20 10:00:00
-- Branch Labels:
-- Depends On:
--
-- On PostgreSQL the index is built with CONCURRENTLY, which does not block
-- writes but cannot run inside a transaction, hence transaction:false.
-- If the build fails, PostgreSQL leaves an INVALID index behind: drop it
-- with DROP INDEX CONCURRENTLY ix_users_email_normalized, record that with
-- "app-migrate resolve 09c6f2e8a4b1 --rolled-back", then run up again.
-- SQLite has no CONCURRENTLY and uses the generic sections.

-- migrate:up
CREATE INDEX ix_users_email_normalized ON users (email_normalized);

-- migrate:down
DROP INDEX ix_users_email_normalized;

-- migrate:up transaction:false dialect:postgresql
CREATE INDEX CONCURRENTLY ix_users_email_normalized
    ON users (email_normalized);

-- migrate:down transaction:false dialect:postgresql
DROP INDEX CONCURRENTLY ix_users_email_normalized;

-- after merge
--
-- Revision ID: e5
-- Revises: d4
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE INDEX ix_accounts ON accounts (id);

-- migrate:down
DROP INDEX ix_accounts;

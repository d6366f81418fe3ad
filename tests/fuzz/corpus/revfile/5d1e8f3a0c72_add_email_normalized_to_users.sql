-- add email_normalized column to users
--
-- Revision ID: 5d1e8f3a0c72
-- Revises: b7306c58e2a9
-- Create Date: 2026-01-19 10:00:00
-- Branch Labels:
-- Depends On:
--
-- The expand step. The column is nullable and has no default, so adding it
-- does not rewrite the table on either database. The next revision fills
-- it in batches; the application writes it for new rows from now on.

-- migrate:up
ALTER TABLE users ADD COLUMN email_normalized VARCHAR(255);

-- migrate:down
ALTER TABLE users DROP COLUMN email_normalized;

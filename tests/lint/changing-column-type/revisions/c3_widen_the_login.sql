-- widen the login
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow changing-column-type varchar to text needs no rewrite
ALTER TABLE users ALTER COLUMN login TYPE text;

-- migrate:down
ALTER TABLE users ALTER COLUMN login TYPE varchar(50);

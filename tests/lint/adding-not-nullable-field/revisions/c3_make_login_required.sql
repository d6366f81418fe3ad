-- make login required
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow adding-not-nullable-field login has been NOT NULL in every deployment
ALTER TABLE users ALTER COLUMN login SET NOT NULL;

-- migrate:down
ALTER TABLE users ALTER COLUMN login DROP NOT NULL;

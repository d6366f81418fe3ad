-- tokens and numbers
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE users ADD COLUMN number bigserial;

-- migrate:down
ALTER TABLE users DROP COLUMN number;
ALTER TABLE users DROP COLUMN token;

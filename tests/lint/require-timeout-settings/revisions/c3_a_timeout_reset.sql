-- a timeout reset
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET lock_timeout = '2s';
RESET lock_timeout;
ALTER TABLE users ADD COLUMN site text;

-- migrate:down
ALTER TABLE users DROP COLUMN site;

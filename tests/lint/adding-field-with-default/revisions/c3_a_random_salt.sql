-- a random salt
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow adding-field-with-default users is rewritten in the maintenance window
ALTER TABLE users ADD COLUMN salt double precision DEFAULT random();

-- migrate:down
ALTER TABLE users DROP COLUMN salt;

-- add a required region
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow adding-required-field the table is empty until the next release
ALTER TABLE users ADD COLUMN region text NOT NULL;

-- migrate:down
ALTER TABLE users DROP COLUMN region;

-- check on sizes
--
-- Revision ID: d4
-- Revises: c3
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow constraint-missing-not-valid items has a dozen rows
ALTER TABLE items ADD CONSTRAINT ck_items_size CHECK (size > 0);

-- migrate:down
ALTER TABLE items DROP CONSTRAINT ck_items_size;

-- check on weights, not valid
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE items ADD CONSTRAINT ck_items_weight CHECK (weight > 0) NOT VALID;

-- migrate:down
ALTER TABLE items DROP CONSTRAINT ck_items_weight;

-- validate the check on weights
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
SET lock_timeout = '2s';
ALTER TABLE items VALIDATE CONSTRAINT ck_items_weight;

-- migrate:down
SELECT 1;

-- checks on prices
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE items ADD CONSTRAINT ck_items_price CHECK (price >= 0);
ALTER TABLE items ADD CONSTRAINT ck_items_qty CHECK (qty > 0) NOT VALID;
ALTER TABLE items VALIDATE CONSTRAINT ck_items_qty;
ALTER TABLE items ADD COLUMN discount integer CHECK (discount >= 0);

-- migrate:down
ALTER TABLE items DROP COLUMN discount;
ALTER TABLE items DROP CONSTRAINT ck_items_qty;
ALTER TABLE items DROP CONSTRAINT ck_items_price;

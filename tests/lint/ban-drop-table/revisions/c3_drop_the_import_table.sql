-- drop the import table
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow ban-drop-table the one-off import finished in 2.1
DROP TABLE import_batches;

-- migrate:down
CREATE TABLE import_batches (id integer);

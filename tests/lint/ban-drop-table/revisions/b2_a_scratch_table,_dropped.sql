-- a scratch table, dropped
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE scratch (id integer);
DROP TABLE scratch;

-- migrate:down
SELECT 1;

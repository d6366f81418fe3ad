-- users branch
--
-- Revision ID: b2
-- Revises: a1
-- Branch Labels: users
-- Depends On:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
ALTER TABLE users ADD COLUMN name TEXT;

-- migrate:down
ALTER TABLE users DROP COLUMN name;

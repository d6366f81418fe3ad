-- merge
--
-- Revision ID: d4
-- Revises: b2, c3
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE accounts (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE accounts;

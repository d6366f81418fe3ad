-- base
--
-- Revision ID: a1
-- Revises:
-- Branch Labels:
-- Depends On:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE users (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE users;

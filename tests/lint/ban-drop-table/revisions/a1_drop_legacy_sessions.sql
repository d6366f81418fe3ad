-- drop legacy sessions
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
DROP TABLE legacy_sessions;

-- migrate:down
CREATE TABLE legacy_sessions (id integer);

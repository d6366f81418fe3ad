-- add a required team
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN team_id integer NOT NULL;

-- migrate:down
ALTER TABLE users DROP COLUMN team_id;

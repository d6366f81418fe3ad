-- add a nullable team and a plan
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN team2_id integer;
ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';

-- migrate:down
ALTER TABLE users DROP COLUMN plan;
ALTER TABLE users DROP COLUMN team2_id;

-- a bio without a timeout
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
ALTER TABLE users ADD COLUMN bio text;
ALTER TABLE users ADD COLUMN motto text;

-- migrate:down
ALTER TABLE users DROP COLUMN motto;
ALTER TABLE users DROP COLUMN bio;

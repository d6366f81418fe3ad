-- drop the old avatar
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow ban-drop-column no release has read avatar_old since 2.3
ALTER TABLE users DROP COLUMN avatar_old;

-- migrate:down
ALTER TABLE users ADD COLUMN avatar_old text;

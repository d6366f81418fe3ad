-- rename login
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow renaming-column no release reads this column yet
ALTER TABLE users RENAME COLUMN login TO username;

-- migrate:down
ALTER TABLE users RENAME COLUMN username TO login;

-- rename sessions
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow renaming-table the application reads it through a view
ALTER TABLE sessions RENAME TO web_sessions;

-- migrate:down
ALTER TABLE web_sessions RENAME TO sessions;

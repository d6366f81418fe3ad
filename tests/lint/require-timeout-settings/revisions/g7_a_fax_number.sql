-- a fax number
--
-- Revision ID: g7
-- Revises: f6
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
-- migbundle:allow require-timeout-settings the job runner sets lock_timeout for the session
ALTER TABLE users ADD COLUMN fax text;

-- migrate:down
ALTER TABLE users DROP COLUMN fax;

-- audit base
--
-- Revision ID: f6
-- Revises:
-- Branch Labels: audit
-- Depends On: b2
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE audit_log (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE audit_log;

-- add users.default_project_id referencing projects
--
-- Revision ID: 3c8d5f1a6e27
-- Revises:
-- Create Date: 2026-01-21 10:00:00
-- Branch Labels:
-- Depends On:
--
-- The first draft of samples/migrations/3c8d5f1a6e27, which the lint
-- flags (docs/lint.md); a base revision here, so that it loads alone.

-- migrate:up
ALTER TABLE users ADD COLUMN default_project_id INTEGER
    REFERENCES projects (id) ON DELETE SET NULL;
CREATE INDEX ix_users_default_project_id ON users (default_project_id);

-- migrate:down
DROP INDEX ix_users_default_project_id;
ALTER TABLE users DROP COLUMN default_project_id;

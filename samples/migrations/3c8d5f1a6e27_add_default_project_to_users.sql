-- add users.default_project_id referencing projects
--
-- Revision ID: 3c8d5f1a6e27
-- Revises: 09c6f2e8a4b1
-- Create Date: 2026-01-21 10:00:00
-- Branch Labels:
-- Depends On:
--
-- The project a user lands on. The first draft of this revision added the
-- column with its REFERENCES clause and a plain index in one transaction,
-- which "migbundle check" flags on PostgreSQL: no lock_timeout, a foreign
-- key checked against every row while both tables are locked, an index
-- build that blocks writes (docs/lint.md walks through it).
-- On PostgreSQL the section runs outside a transaction, each statement on
-- its own: a lock_timeout, so that a statement waiting for a busy table
-- gives up instead of blocking every query behind it; the nullable column
-- (no rewrite); the foreign key NOT VALID (only new rows are checked); its
-- VALIDATE, which reads users under a lock that lets writes go on; the
-- index built CONCURRENTLY. If a statement fails, the section stops there:
-- see 09c6f2e8a4b1 for what that leaves and how "app-migrate resolve"
-- records it.
-- SQLite adds a foreign key only with its column, and checks no existing
-- row when it does: the generic sections are the first draft.

-- migrate:up
ALTER TABLE users ADD COLUMN default_project_id INTEGER
    REFERENCES projects (id) ON DELETE SET NULL;
CREATE INDEX ix_users_default_project_id ON users (default_project_id);

-- migrate:down
DROP INDEX ix_users_default_project_id;
ALTER TABLE users DROP COLUMN default_project_id;

-- migrate:up transaction:false dialect:postgresql
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN default_project_id INTEGER;
ALTER TABLE users ADD CONSTRAINT fk_users_default_project_id
    FOREIGN KEY (default_project_id) REFERENCES projects (id)
    ON DELETE SET NULL NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT fk_users_default_project_id;
CREATE INDEX CONCURRENTLY ix_users_default_project_id
    ON users (default_project_id);
RESET lock_timeout;

-- migrate:down transaction:false dialect:postgresql
SET lock_timeout = '5s';
DROP INDEX CONCURRENTLY ix_users_default_project_id;
ALTER TABLE users DROP COLUMN default_project_id;
RESET lock_timeout;

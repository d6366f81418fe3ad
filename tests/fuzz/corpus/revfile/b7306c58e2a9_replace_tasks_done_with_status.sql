-- replace tasks.done with a status column
--
-- Revision ID: b7306c58e2a9
-- Revises: 4f9e2a61d7c3
-- Create Date: 2026-01-18 10:00:00
-- Branch Labels:
-- Depends On:
--
-- An enum-like column, VARCHAR plus a named CHECK constraint instead of a
-- PostgreSQL ENUM type, so it works on both databases and a new value only
-- needs a new CHECK. SQLite cannot add a CHECK to an existing column, but it
-- accepts a new column carrying its CHECK when the column's DEFAULT
-- satisfies it, which is what ADD COLUMN does here.
--
-- The data conversion maps done = TRUE to 'done' and the rest to 'pending'.
-- The down maps 'done' back to TRUE and every other status to FALSE, so
-- 'in_progress' and 'cancelled' are not preserved by a rollback.

-- migrate:up
ALTER TABLE tasks ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'pending'
    CONSTRAINT ck_tasks_status
    CHECK (status IN ('pending', 'in_progress', 'done', 'cancelled'));
UPDATE tasks SET status = 'done' WHERE done = TRUE;
ALTER TABLE tasks DROP COLUMN done;
CREATE INDEX ix_tasks_status ON tasks (status);

-- migrate:down
DROP INDEX ix_tasks_status;
ALTER TABLE tasks ADD COLUMN done BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE tasks SET done = TRUE WHERE status = 'done';
ALTER TABLE tasks DROP COLUMN status;

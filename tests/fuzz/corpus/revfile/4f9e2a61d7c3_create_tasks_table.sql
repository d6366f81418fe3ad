-- create tasks table
--
-- Revision ID: 4f9e2a61d7c3
-- Revises: c25d9b7e1f08
-- Create Date: 2026-01-17 10:00:00
-- Branch Labels:
-- Depends On:
--
-- Tasks belong to a project (deleted with it) and may be assigned to a
-- user (unassigned when the user is deleted). Both foreign keys are
-- named and indexed. SQLite enforces them only with PRAGMA foreign_keys=ON.
-- The boolean done column is replaced by a status in the next revision.

-- migrate:up
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL,
    assignee_id INTEGER,
    title       VARCHAR(200) NOT NULL,
    description TEXT,
    done        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT fk_tasks_project_id FOREIGN KEY (project_id)
        REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT fk_tasks_assignee_id FOREIGN KEY (assignee_id)
        REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX ix_tasks_project_id ON tasks (project_id);
CREATE INDEX ix_tasks_assignee_id ON tasks (assignee_id);

-- migrate:down
DROP INDEX ix_tasks_assignee_id;
DROP INDEX ix_tasks_project_id;
DROP TABLE tasks;

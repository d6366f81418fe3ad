-- tasks reference their project, validated apart
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
SET lock_timeout = '2s';
ALTER TABLE tasks ADD CONSTRAINT fk_tasks_project_id
    FOREIGN KEY (project_id) REFERENCES projects (id) NOT VALID;
ALTER TABLE tasks VALIDATE CONSTRAINT fk_tasks_project_id;

-- migrate:down
ALTER TABLE tasks DROP CONSTRAINT fk_tasks_project_id;

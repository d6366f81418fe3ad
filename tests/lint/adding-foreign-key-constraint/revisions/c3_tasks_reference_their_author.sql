-- tasks reference their author
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow adding-foreign-key-constraint tasks is empty in every deployment so far
ALTER TABLE tasks ADD CONSTRAINT fk_tasks_author_id
    FOREIGN KEY (author_id) REFERENCES users (id);

-- migrate:down
ALTER TABLE tasks DROP CONSTRAINT fk_tasks_author_id;

-- tasks reference their owner
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
ALTER TABLE tasks ADD CONSTRAINT fk_tasks_owner_id
    FOREIGN KEY (owner_id) REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN reviewer_id integer REFERENCES users (id);

-- migrate:down
ALTER TABLE tasks DROP COLUMN reviewer_id;
ALTER TABLE tasks DROP CONSTRAINT fk_tasks_owner_id;

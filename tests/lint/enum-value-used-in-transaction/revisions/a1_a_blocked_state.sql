-- a blocked state
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
ALTER TYPE task_state ADD VALUE 'blocked';
UPDATE tasks SET state = 'blocked' WHERE blocked_by IS NOT NULL;

-- migrate:down
UPDATE tasks SET state = 'open' WHERE state = 'blocked';

-- an archived state, outside a transaction
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
ALTER TYPE task_state ADD VALUE 'archived';
UPDATE tasks SET state = 'archived' WHERE closed_at < now() - interval '1 year';

-- migrate:down
UPDATE tasks SET state = 'done' WHERE state = 'archived';

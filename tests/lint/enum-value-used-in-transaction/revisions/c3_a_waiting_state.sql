-- a waiting state
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
ALTER TYPE task_state ADD VALUE 'waiting';
-- migbundle:allow enum-value-used-in-transaction the comparison only reads the label
SELECT count(*) FROM tasks WHERE state::text = 'waiting';

-- migrate:down
SELECT 1;

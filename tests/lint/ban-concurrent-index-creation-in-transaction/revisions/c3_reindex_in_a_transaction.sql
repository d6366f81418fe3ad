-- reindex in a transaction
--
-- Revision ID: c3
-- Revises: b2
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
SET LOCAL lock_timeout = '2s';
-- migbundle:allow ban-concurrent-index-creation-in-transaction kept to show the suppression
REINDEX INDEX CONCURRENTLY ix_users_name;

-- migrate:down
SELECT 1;

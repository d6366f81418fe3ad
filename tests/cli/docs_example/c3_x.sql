-- billing branch
--
-- Revision ID: c3
-- Revises: a1
-- Branch Labels: billing
-- Depends On:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE invoices (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE invoices;

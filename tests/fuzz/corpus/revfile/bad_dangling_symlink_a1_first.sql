-- create projects
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-01-01 00:00:00

-- migrate:up
CREATE TABLE projects (id INTEGER PRIMARY KEY);

-- migrate:down
DROP TABLE projects;

-- create projects table
--
-- Revision ID: 1a7c3e90b2d4
-- Revises:
-- Create Date: 2026-01-15 09:00:00
-- Branch Labels:
-- Depends On:
--
-- Portable types only, so the same SQL runs on SQLite and PostgreSQL.
-- The application supplies ids (INTEGER PRIMARY KEY is an alias of the
-- rowid on SQLite; PostgreSQL has no such alias, and an identity column
-- would need a dialect:postgresql section).

-- migrate:up
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    description TEXT,
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- migrate:down
DROP TABLE projects;

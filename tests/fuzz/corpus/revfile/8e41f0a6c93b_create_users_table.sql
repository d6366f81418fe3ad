-- create users table
--
-- Revision ID: 8e41f0a6c93b
-- Revises: 1a7c3e90b2d4
-- Create Date: 2026-01-15 09:30:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    email        VARCHAR(255) NOT NULL,
    display_name VARCHAR(100),
    is_active    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_users_email UNIQUE (email)
);

-- migrate:down
DROP TABLE users;

-- index users by email
--
-- Revision ID: b2
-- Revises: a1

-- migrate:up transaction:flase
CREATE INDEX CONCURRENTLY ix_users_email ON users (email);

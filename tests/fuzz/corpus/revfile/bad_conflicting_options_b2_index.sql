-- index users by email
--
-- Revision ID: b2
-- Revises: a1

-- migrate:up dialect:sqlite dialect:postgresql
CREATE INDEX ix_users_email ON users (email);

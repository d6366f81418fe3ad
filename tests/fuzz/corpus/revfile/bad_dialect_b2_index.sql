-- index users by email
--
-- Revision ID: b2
-- Revises: a1

-- migrate:up dialect:postgres transaction:false
CREATE INDEX CONCURRENTLY ix_users_email ON users (email);

-- migrate:up
CREATE INDEX ix_users_email ON users (email);

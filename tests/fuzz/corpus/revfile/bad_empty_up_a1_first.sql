-- create users
--
-- Revision ID: a1
-- Revises:

-- migrate:up
-- TODO: write the table

-- migrate:down
DROP TABLE users;

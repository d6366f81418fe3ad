-- create users
--
-- Revision ID: a1
-- Revises:

-- migrate:down
DROP TABLE users;

-- create users
--
-- Revision ID: a1
-- Revises:

CREATE TABLE users (id integer PRIMARY KEY);

-- migrate:down
DROP TABLE users;

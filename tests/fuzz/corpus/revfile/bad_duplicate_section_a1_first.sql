-- create users
--
-- Revision ID: a1
-- Revises:

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

-- migrate:down
DROP TABLE users;

-- migrate:up
CREATE TABLE accounts (id integer PRIMARY KEY);

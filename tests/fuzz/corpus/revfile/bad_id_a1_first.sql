-- create users
--
-- Revision ID: abc-1
-- Revises:

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

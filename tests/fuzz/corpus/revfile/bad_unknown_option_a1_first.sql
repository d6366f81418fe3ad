-- create users
--
-- Revision ID: a1
-- Revises:

-- migrate:up autocommit
CREATE TABLE users (id integer PRIMARY KEY);

-- create users
--
-- Revision ID: a1
-- Revises:
-- The users table holds every account.

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

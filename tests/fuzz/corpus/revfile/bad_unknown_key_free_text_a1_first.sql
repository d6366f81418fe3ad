-- create users
--
-- Revision ID: a1
-- Revises:
-- Warning: locks the users table

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

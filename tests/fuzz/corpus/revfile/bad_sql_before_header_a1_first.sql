CREATE TABLE users (id integer PRIMARY KEY);

-- create users
--
-- Revision ID: a1
-- Revises:

-- migrate:up
SELECT 1;

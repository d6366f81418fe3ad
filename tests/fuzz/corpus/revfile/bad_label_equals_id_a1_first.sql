-- create users
--
-- Revision ID: a1
-- Revises:
-- Branch Labels: a1

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

-- create users
-- Revision ID: a1
-- Revises:

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

-- create users
--
-- Revision ID: head
-- Revises:

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

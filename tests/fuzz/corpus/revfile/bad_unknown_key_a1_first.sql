-- create users
--
-- Revision ID: a1
-- Revises:
-- Depend On: z9

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

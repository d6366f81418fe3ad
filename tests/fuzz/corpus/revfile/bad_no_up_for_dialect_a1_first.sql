-- create users
--
-- Revision ID: a1
-- Revises:

-- migrate:up dialect:postgresql
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);

-- create users
--
-- Revision ID: a1
-- Revises:

CREATE TABLE users (id integer);
-- migrate:up
SELECT 1;

-- create users
--
-- Revises:
-- Create Date: 2026-01-16 10:00:00
--
-- Revision ID: a1

-- migrate:up
CREATE TABLE users (id integer PRIMARY KEY);

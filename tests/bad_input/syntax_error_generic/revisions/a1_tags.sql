-- create tags
--
-- Revision ID: a1
-- Revises:
-- Create Date: 2026-02-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE tags (id INTEGER PRIMARY KEY);
CREATE TABLE étiquettes (id INTEGER, nom TEXT NOT NULL DEFALT 'x');

-- migrate:down
DROP TABLE étiquettes;
DROP TABLE tags;

-- an unfinished statement
--
-- Revision ID: c3
-- Revises:
-- Create Date: 2026-02-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up
CREATE TABLE tags (id integer);
ALTER TABLE tags ADD COLUMN

-- add email
--
-- Revision ID: b2
-- Revises: a1
-- Revises: a0

-- migrate:up
ALTER TABLE users ADD COLUMN email text;

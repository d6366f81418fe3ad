-- add email
--
-- Revision ID: b2
-- Revises: b2

-- migrate:up
ALTER TABLE users ADD COLUMN email text;

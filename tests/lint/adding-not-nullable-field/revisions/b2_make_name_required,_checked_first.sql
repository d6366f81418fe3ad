-- make name required, checked first
--
-- Revision ID: b2
-- Revises: a1
-- Create Date: 2026-03-01 10:00:00
-- Branch Labels:
-- Depends On:

-- migrate:up transaction:false
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT ck_users_name_not_null
    CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT ck_users_name_not_null;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT ck_users_name_not_null;

-- migrate:down
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;

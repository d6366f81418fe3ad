DROP INDEX ix_users_role;
ALTER TABLE users DROP COLUMN role;

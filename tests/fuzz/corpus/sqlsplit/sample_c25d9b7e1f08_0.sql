ALTER TABLE users ADD COLUMN role VARCHAR(20) NOT NULL DEFAULT 'member';
CREATE INDEX ix_users_role ON users (role);


CREATE INDEX ix_users_email_normalized ON users (email_normalized);


CREATE INDEX CONCURRENTLY ix_users_email_normalized
    ON users (email_normalized);


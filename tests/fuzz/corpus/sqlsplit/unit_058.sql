CREATE INDEX CONCURRENTLY users_email_idx ON users (email);

CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower_idx
    ON users USING btree (lower(name)) WHERE name <> '';
DROP INDEX CONCURRENTLY IF EXISTS old_idx
ALTER TABLE users ADD COLUMN email_normalized VARCHAR(255);


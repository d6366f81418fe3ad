-- backfill users.email_normalized in batches
--
-- Revision ID: e93a4b6d15f0
-- Revises: 5d1e8f3a0c72
-- Create Date: 2026-01-19 11:00:00
-- Branch Labels:
-- Depends On:
--
-- How the batches work. Each UPDATE below is one batch: it fills at most
-- 1000 rows, the 1000 lowest ids that are still NULL. The section runs
-- with transaction:false, so every statement commits on its own and holds
-- its row locks only for its own 1000 rows. Plain SQL has no loop, so the
-- file spells out five batches and ends with one unbounded UPDATE that
-- finishes whatever is left; on a table of up to 5000 rows that sweep finds
-- nothing to do. For a larger table, add batch statements, or run the
-- batch statement ahead of the release until it updates no row.
--
-- Every statement only touches rows that are still NULL, so running the
-- section again after a failure resumes where it stopped. The down clears
-- the column, which is the state the previous revision left.

-- migrate:up transaction:false
UPDATE users SET email_normalized = lower(email)
WHERE id IN (SELECT id FROM users WHERE email_normalized IS NULL
             ORDER BY id LIMIT 1000);
UPDATE users SET email_normalized = lower(email)
WHERE id IN (SELECT id FROM users WHERE email_normalized IS NULL
             ORDER BY id LIMIT 1000);
UPDATE users SET email_normalized = lower(email)
WHERE id IN (SELECT id FROM users WHERE email_normalized IS NULL
             ORDER BY id LIMIT 1000);
UPDATE users SET email_normalized = lower(email)
WHERE id IN (SELECT id FROM users WHERE email_normalized IS NULL
             ORDER BY id LIMIT 1000);
UPDATE users SET email_normalized = lower(email)
WHERE id IN (SELECT id FROM users WHERE email_normalized IS NULL
             ORDER BY id LIMIT 1000);
UPDATE users SET email_normalized = lower(email)
WHERE email_normalized IS NULL;

-- migrate:down
UPDATE users SET email_normalized = NULL;

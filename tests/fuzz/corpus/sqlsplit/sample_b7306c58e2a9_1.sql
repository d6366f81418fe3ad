DROP INDEX ix_tasks_status;
ALTER TABLE tasks ADD COLUMN done BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE tasks SET done = TRUE WHERE status = 'done';
ALTER TABLE tasks DROP COLUMN status;

ALTER TABLE tasks ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'pending'
    CONSTRAINT ck_tasks_status
    CHECK (status IN ('pending', 'in_progress', 'done', 'cancelled'));
UPDATE tasks SET status = 'done' WHERE done = TRUE;
ALTER TABLE tasks DROP COLUMN done;
CREATE INDEX ix_tasks_status ON tasks (status);


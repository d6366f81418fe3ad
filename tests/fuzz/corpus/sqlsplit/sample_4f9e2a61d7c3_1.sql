DROP INDEX ix_tasks_assignee_id;
DROP INDEX ix_tasks_project_id;
DROP TABLE tasks;

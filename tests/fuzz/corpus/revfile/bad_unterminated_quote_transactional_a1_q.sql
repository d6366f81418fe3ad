-- an ordinary section with a quote left open
--
-- Revision ID: a1
-- Revises:

-- migrate:up
CREATE TABLE t (name TEXT DEFAULT 'x);

-- migrate:down
DROP TABLE t;

-- a function, created outside a transaction
--
-- Revision ID: a1
-- Revises:

-- migrate:up transaction:false dialect:postgresql
CREATE TABLE t (id int);
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$
  SELECT 1;
$fx$;

-- migrate:up dialect:sqlite
CREATE TABLE t (id int);

-- migrate:down
DROP TABLE t;

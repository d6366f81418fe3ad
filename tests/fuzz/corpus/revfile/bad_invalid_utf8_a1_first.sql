-- create places
--
-- Revision ID: a1
-- Revises:

-- migrate:up
INSERT INTO places VALUES ('café');

-- merge heads
--
-- Revision ID: c3
-- Revises: a1, b2,

-- migrate:up

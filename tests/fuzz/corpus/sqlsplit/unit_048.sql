create or replace procedure p() language sql begin /* c */ Atomic insert into t values (1); delete from u; end ;
CREATE OR REPLACE FUNCTION g() RETURNS int
BEGIN ATOMIC SELECT (CASE WHEN true THEN 1 END); END;
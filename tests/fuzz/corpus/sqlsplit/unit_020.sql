SELECT '';SELECT '''';SELECT 'x
;
y';
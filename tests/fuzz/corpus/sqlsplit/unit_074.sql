SELECT 1 /* x

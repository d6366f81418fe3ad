SELECT /* ; ' $$ /* nested ; */ still ; " */ 1;
SELECT 2;
SELECT 'a;b', 'it''s; ok', '-- no', '/* no', '$$;';
SELECT 2;
SELECT B'10;', X'1F;', N'n;''x', U&'d;\0061';
SELECT 2;
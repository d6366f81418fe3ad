SELECT "a;b", "say ""hi"";" FROM "t--x" AS "/*";
SELECT U&"d;\0061";SELECT "$$";
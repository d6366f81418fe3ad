SELECT 'C:\';
SELECT 'a\''';
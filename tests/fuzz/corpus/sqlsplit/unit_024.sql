SELECT E'\'';
SELECT e'\\';
SELECT E'it\'s; ''ok''';
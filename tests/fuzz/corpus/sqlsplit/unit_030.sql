SELECT E'a'
/* c */ '\'; SELECT 2;
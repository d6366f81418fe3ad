SELECT E'a' -- c
  
-- d
 '\';'; SELECT 2;
SELECT 1; /* ' */ /* " 

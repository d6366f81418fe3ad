-- header; not a statement
/* block ;
   comment */
	 SELECT 1; -- trailing ;
/* before */ SELECT 2;
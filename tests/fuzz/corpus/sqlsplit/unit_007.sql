;;
  ; -- c
/* x */ ;SELECT 1;;
;
SELECT E'a'
'\';
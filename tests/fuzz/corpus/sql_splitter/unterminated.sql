SELECT $$ unterminated ;

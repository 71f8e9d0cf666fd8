-- purpose: rebuild a database (an empty new file) from a directory written by
--          backup/export_database.sql.
-- row:     (statement).
-- units:   tables as stored.
-- params:  none bound. {directory} is replaced by a SQL string literal built and checked by
--          perfdash.backup.sql_string_literal: IMPORT DATABASE takes a literal path only, not a
--          bound parameter.
IMPORT DATABASE {directory};

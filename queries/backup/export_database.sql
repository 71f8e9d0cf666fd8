-- purpose: write a full copy of the database into a directory: schema.sql, load.sql and one
--          Parquet file per table (the input of backup/import_database.sql).
-- row:     (statement; run inside a transaction so the copy is one consistent snapshot).
-- units:   tables as stored.
-- params:  none bound. {directory} is replaced by a SQL string literal built and checked by
--          perfdash.backup.sql_string_literal: EXPORT DATABASE takes a literal path only, not a
--          bound parameter.
EXPORT DATABASE {directory} (FORMAT parquet);

-- purpose: does this database file hold a perfdash schema yet?
-- row:     one row; n = 1 when the meta table exists, else 0.
-- params:  none.
SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'meta' AND schema_name = 'main';

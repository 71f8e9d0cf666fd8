-- purpose: the benchmark's import yardstick: how many rows DuckDB's read_csv loaded (raw_import).
-- row:     one row: n = row count of raw_import.
-- params:  none.
SELECT count(*) AS n FROM raw_import;

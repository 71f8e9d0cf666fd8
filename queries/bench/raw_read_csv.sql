-- purpose: the benchmark's yardstick for imports (perfdash bench): DuckDB's own CSV reader loading
--          one generated upload file into a table, with no validation, diff or batch bookkeeping.
-- row:     (statement) creates / replaces the table raw_import.
-- params:  $path VARCHAR (the CSV file).
CREATE OR REPLACE TABLE raw_import AS SELECT * FROM read_csv($path);

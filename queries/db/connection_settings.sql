-- purpose: settings for every connection perfdash opens: no progress bar (DuckDB draws one on
--          stdout for queries over ~2 s, which would corrupt `--format json` output and logs).
-- row:     (statement).
-- params:  none.
SET enable_progress_bar = false;

-- purpose: remove the rows of metric_spread that a refresh rewrites: the years $years (every
--          year when $all_years); rates/refresh_metric_spread.sql then writes them year by year.
-- row:     (statement).
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (ignored when $all_years).
DELETE FROM metric_spread WHERE $all_years OR list_contains($years, year);

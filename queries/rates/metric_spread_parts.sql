-- purpose: the metric × year pairs unit_year_metric holds in the years $years (every year when
--          $all_years): the parts rates/refresh_metric_spread.sql writes one at a time.
-- row:     one metric and year.
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (ignored when $all_years).
SELECT DISTINCT metric, year FROM unit_year_metric
WHERE $all_years OR list_contains($years, year)
ORDER BY metric, year;

-- purpose: the metric × year pairs unit_year_metric holds in the years $years (every year when
--          $all_years), with how many values each has: the parts rates/refresh_metric_spread.sql
--          writes (one metric of a year at a time, or a year's metrics together when they hold
--          few values — perfdash.derive.rates.SPREAD_VALUES).
-- row:     one metric and year: metric, year, value_count (unit-years with a value).
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (ignored when $all_years).
SELECT metric, year, count(value) AS value_count FROM unit_year_metric
WHERE $all_years OR list_contains($years, year)
GROUP BY metric, year
ORDER BY metric, year;

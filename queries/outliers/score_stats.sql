-- purpose: the figures the 异常预警 execution / self-score chart needs over every unit in scope
--          with both values, without handing them to Python: the x-range's quantiles and the
--          lowest self-score.
-- row:     one row for year $year: units with both an execution rate and a self-score, the 2 %
--          and 98 % quantiles, minimum and maximum of their execution rate, their lowest
--          self-score (NULLs when there is no such unit).
-- formula: quantile_cont (linear interpolation, as pandas' Series.quantile).
-- units:   units a count; q02, q98, vmin, vmax fractions; score_min points.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT count(*) AS units,
       quantile_cont(execution_rate, 0.02) AS q02, quantile_cont(execution_rate, 0.98) AS q98,
       min(execution_rate) AS vmin, max(execution_rate) AS vmax, min(self_score) AS score_min
FROM unit_year_rate
WHERE year = $year
  AND execution_rate IS NOT NULL
  AND self_score IS NOT NULL
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector);

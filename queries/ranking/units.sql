-- purpose: the units picked for the 排名对比 page's side-by-side comparison (and whether units
--          kept from an earlier choice are still in scope), without fetching the whole scope.
-- row:     one budget unit of $unit_keys that has figures in year $year and is in scope; the
--          columns of rates/unit_rates.sql; in unit_name, unit_key order (the page reorders).
-- formula: see rates/refresh_unit_year_rate.sql (rates are precomputed there).
-- units:   rates are fractions, NULL where an input is missing; budget and actual_spend 万元.
-- params:  $year INTEGER; $unit_keys VARCHAR[]; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT
    unit_key, unit_code, unit_name, year, region, level, sector,
    budget, actual_spend, self_score, grade,
    execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
    sangong_control_rate, procurement_execution_rate, funds_arrival_rate
FROM unit_year_rate
WHERE year = $year
  AND list_contains($unit_keys, unit_key)
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
ORDER BY unit_name, unit_key;

-- purpose: every rate of every unit for one year, filtered by region / level / sector.
-- row:     one budget unit in year $year.
-- formula: see rates/refresh_unit_year_rate.sql (rates are precomputed there).
-- units:   rates are fractions (0.8756 = 87.56 %), NULL where an input is missing or the
--          denominator is zero; budget and actual_spend in 万元.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT
    unit_key, unit_code, unit_name, year, region, level, sector,
    budget, actual_spend, self_score, grade,
    execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
    sangong_control_rate, procurement_execution_rate, funds_arrival_rate
FROM unit_year_rate
WHERE year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
ORDER BY unit_name, unit_key;

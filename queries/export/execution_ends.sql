-- purpose: the units at both ends of 预算执行率 in one year and scope — the $lowest lowest and
--          the $highest highest — for the pack's unit chart (a bar per unit stops being
--          readable past ~20, and all units never need to leave DuckDB).
-- row:     one budget unit with an execution rate; a unit that is among both the lowest and
--          the highest (scopes with few units) appears once.
-- formula: order = execution_rate, unit_name, unit_key ascending; lowest = the first $lowest,
--          highest = the last $highest in that order.
-- units:   execution_rate a fraction; budget and actual_spend in 万元.
-- params:  $year INTEGER; $lowest, $highest INTEGER; $region, $level, $sector VARCHAR or NULL
--          (NULL = all).
WITH rated AS (
    SELECT unit_key, unit_code, unit_name, region, level, sector, budget, actual_spend, execution_rate
    FROM unit_year_rate
    WHERE year = $year
      AND execution_rate IS NOT NULL
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
lowest AS (
    SELECT * FROM rated ORDER BY execution_rate, unit_name, unit_key LIMIT $lowest
),
highest AS (
    SELECT * FROM rated ORDER BY execution_rate DESC, unit_name DESC, unit_key DESC LIMIT $highest
)
SELECT * FROM (SELECT * FROM lowest UNION SELECT * FROM highest)
ORDER BY execution_rate, unit_name, unit_key;

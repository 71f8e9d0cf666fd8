-- purpose: how many units have a 预算执行率 in one year and scope, and how many of them are
--          below the warning target (the takeaway of the pack's unit chart), without handing
--          every unit to Python.
-- row:     one row: rated_count, below_count.
-- formula: rated_count = units with execution_rate NOT NULL; below_count = those with
--          execution_rate < $below (NULL when $below is NULL).
-- units:   counts of budget units; $below a fraction (0.9 = 90 %).
-- params:  $year INTEGER; $below DOUBLE or NULL; $region, $level, $sector VARCHAR or NULL
--          (NULL = all).
SELECT
    count(execution_rate)                                                    AS rated_count,
    CASE WHEN $below IS NOT NULL
         THEN count(*) FILTER (execution_rate < $below) END                  AS below_count
FROM unit_year_rate
WHERE year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector);

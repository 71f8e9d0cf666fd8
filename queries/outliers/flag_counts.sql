-- purpose: the 异常预警 page's KPI tiles counted in SQL, so the page never fetches every flag
--          of the year to count them.
-- row:     one row for year $year and the units in scope: flags per kind (warning, statistical,
--          inflation, data), per severity (high, medium), units with any flag, units with a
--          high-severity flag.
-- formula: counts over unit_flag (as perfdash.derive.outliers.summary over flags_for_year).
-- units:   counts (flags, or distinct units).
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT
    count(*) FILTER (kind = 'warning')               AS warning,
    count(*) FILTER (kind = 'statistical')           AS statistical,
    count(*) FILTER (kind = 'inflation')             AS inflation,
    count(*) FILTER (kind = 'data')                  AS data,
    count(*) FILTER (severity = 'high')              AS high,
    count(*) FILTER (severity = 'medium')            AS medium,
    count(DISTINCT unit_key)                         AS units_flagged,
    count(DISTINCT unit_key) FILTER (severity = 'high') AS units_high
FROM unit_flag
WHERE year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector);

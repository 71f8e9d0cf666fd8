-- purpose: the overview's counts of flags for a year and the year before, so the page does not
--          fetch every flag to count them.
-- row:     one year of $year_from..$year_to that has flags in scope (a year without any is absent).
-- formula: flags = count of flags; units_flagged = distinct units with any flag;
--          units_warned = distinct units with a warning (预警); units_warned_high = distinct units
--          with a high-severity warning; high_flags = count of high-severity flags.
-- units:   counts.
-- params:  $year_from, $year_to INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT year,
       count(*)                                                          AS flags,
       count(DISTINCT unit_key)                                          AS units_flagged,
       count(DISTINCT unit_key) FILTER (kind = 'warning')                AS units_warned,
       count(DISTINCT unit_key) FILTER (kind = 'warning' AND severity = 'high') AS units_warned_high,
       count(*) FILTER (severity = 'high')                               AS high_flags
FROM unit_flag
WHERE year BETWEEN $year_from AND $year_to
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY year
ORDER BY year;

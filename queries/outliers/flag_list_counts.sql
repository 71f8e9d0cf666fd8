-- purpose: how many flags the 异常预警 page's list holds for the chosen kinds and severities,
--          and how many units they concern — counted in SQL, the list itself being paged.
-- row:     one row: flags (count) and units (distinct unit_key) of year $year in scope whose
--          kind is in $kinds and severity in $severities.
-- units:   counts.
-- params:  $year INTEGER; $kinds, $severities VARCHAR[] (non-empty); $region, $level, $sector
--          VARCHAR or NULL (NULL = all).
SELECT count(*) AS flags, count(DISTINCT unit_key) AS units
FROM unit_flag
WHERE year = $year
  AND list_contains($kinds, kind)
  AND list_contains($severities, severity)
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector);

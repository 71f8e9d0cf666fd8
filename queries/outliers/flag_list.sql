-- purpose: one page of the 异常预警 page's list (or, with $limit NULL, the whole list for the
--          CSV / Excel download): the stored flags of the chosen kinds and severities.
-- row:     one flag of one unit (or of one of its projects) in year $year, kind in $kinds,
--          severity in $severities; in display order (position: high first, then kind, name);
--          at most $limit rows from the ($offset + 1)-th.
-- formula: as queries/outliers/flags.sql (peers are the whole year and level).
-- units:   value, peer_median, prior_value fractions (self_score in points); peer_n a count.
-- params:  $year INTEGER; $kinds, $severities VARCHAR[] (non-empty); $limit INTEGER or NULL
--          (NULL = all); $offset INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT unit_code, unit_name, year, metric, value, kind, severity, reason,
       unit_key, region, level, sector, basis, project_name,
       peer_median, peer_n, robust_z, prior_value
FROM unit_flag
WHERE year = $year
  AND list_contains($kinds, kind)
  AND list_contains($severities, severity)
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
ORDER BY position
LIMIT $limit OFFSET $offset;

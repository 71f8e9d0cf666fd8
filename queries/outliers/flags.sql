-- purpose: the stored flags (预警 / 异常 / 自评虚高) of one year for the units in scope — what the
--          overview, unit profile, outliers page, exports and CLI show.
-- row:     one flag of one unit (or of one of its projects) in year $year; high severity first.
-- formula: computed on import by perfdash.outliers (queries/outliers/unit_warnings,
--          project_warnings, peer_outliers, history_jumps, self_evaluation); peers are always the
--          whole year and level, the filters only choose which units are listed.
-- units:   value, peer_median, prior_value fractions (self_score in points); peer_n a count.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT unit_code, unit_name, year, metric, value, kind, severity, reason,
       unit_key, region, level, sector, basis, project_name,
       peer_median, peer_n, robust_z, prior_value
FROM unit_flag
WHERE year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
ORDER BY position;

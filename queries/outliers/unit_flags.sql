-- purpose: the stored flags of one unit in one year, for its profile page.
-- row:     one flag of unit $unit_key (or of one of its projects) in year $year, in display order.
-- formula: as queries/outliers/flags.sql (peers are the whole year and level).
-- units:   value, peer_median, prior_value fractions (self_score in points); peer_n a count.
-- params:  $unit_key VARCHAR; $year INTEGER.
SELECT unit_code, unit_name, year, metric, value, kind, severity, reason,
       unit_key, region, level, sector, basis, project_name,
       peer_median, peer_n, robust_z, prior_value
FROM unit_flag
WHERE year = $year AND unit_key = $unit_key
ORDER BY position;

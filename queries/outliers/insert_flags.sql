-- purpose: store freshly computed flags of one year (the registered frame `computed_flags`).
-- row:     one flag; position = its display order within the year, set by perfdash.outliers.
-- params:  none (reads the registered frame computed_flags).
INSERT INTO unit_flag
SELECT year, position, unit_code, unit_name, metric, value, kind, severity, reason,
       unit_key, region, level, sector, basis, project_name,
       peer_median, peer_n, robust_z, prior_value
FROM computed_flags;

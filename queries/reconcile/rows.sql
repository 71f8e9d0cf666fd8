-- purpose: the reconciliation of the stated rates of one year (CLI `reconcile`, the 报告比率核对
--          tab), optionally of one unit.
-- row:     one stated rate (see queries/reconcile/refresh_rate_reconciliation.sql).
-- units:   reported, recomputed, explained_value, nearest_value fractions; diff_pp points.
-- params:  $year INTEGER; $unit_key VARCHAR or NULL (all units).
SELECT unit_code, unit_name, year, metric, label, reported, recomputed, diff_pp, explained_by,
       verdict, source, unit_key, region, level, sector, recomputed_basis, explained_value,
       nearest_basis, nearest_value
FROM rate_reconciliation
WHERE year = $year AND ($unit_key IS NULL OR unit_key = $unit_key)
ORDER BY unit_name, metric;

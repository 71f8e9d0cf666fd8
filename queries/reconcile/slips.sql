-- purpose: the stated rates of the years $years that no 口径 reproduces (verdict 'slip'), for the
--          数据核查 flags.
-- row:     one stated rate with verdict 'slip', with the unit's attributes that year.
-- units:   reported, recomputed, nearest_value fractions.
-- params:  $years LIST of INTEGER.
SELECT unit_key, year, unit_code, unit_name, region, level, sector, metric, label, reported, recomputed,
       nearest_basis, nearest_value, source
FROM rate_reconciliation
WHERE list_contains($years, year) AND verdict = 'slip'
ORDER BY year, unit_key, metric;

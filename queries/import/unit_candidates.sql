-- purpose: the units a 单位名称 may mean, for score and project rows that give neither 单位编码
--          nor 地区: the stored budget units of that name and the budget units of the same upload.
-- row:     one (unit_name, unit_key, region) a candidate unit has been seen with.
-- params:  none. Reads the temp views `wanted_names` (unit_name) and `upload_units`
--          (unit_name, unit_key, region: the budget rows of the files imported together).
SELECT DISTINCT unit_name, unit_key, region FROM (
    SELECT unit_name, unit_key, region FROM budget
    WHERE unit_name IN (SELECT unit_name FROM wanted_names)
    UNION ALL
    SELECT unit_name, unit_key, region FROM upload_units
    WHERE unit_name IN (SELECT unit_name FROM wanted_names)
)
ORDER BY unit_name, region NULLS LAST, unit_key;

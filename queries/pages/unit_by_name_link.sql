-- purpose: the unit an old-style link ?unit=name:<单位名称> means, now that a unit without a code
--          is keyed by its name within its region ('name:<地区>|<单位名称>', migration 6).
-- row:     one unit_key of a unit without a code that has had that name; the page follows the
--          link only when there is exactly one (two counties' 县教育局: the link is ambiguous).
-- params:  $unit_name VARCHAR.
SELECT DISTINCT unit_key
FROM unit_year_rate
WHERE unit_name = $unit_name AND unit_key LIKE 'name:%'
ORDER BY unit_key
LIMIT 2;

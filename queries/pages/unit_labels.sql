-- purpose: the units already chosen in a unit picker (or named by a ?unit= link), labelled
--          like pages/unit_search.sql whether or not they fall within the filters — a picker
--          keeps showing its selection while the search text changes.
-- row:     one budget unit (unit_key) of $unit_keys that exists, under its latest name, with
--          the picker label 单位名称（地区 · 层级） and `in_scope`: whether it has figures within
--          the filters (and in $year when given). Units not in the database are absent.
-- params:  $unit_keys VARCHAR[] (a non-empty list of unit_key values); $year INTEGER or NULL
--          (NULL = any year); $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT
    r.unit_key,
    arg_max(unit_name, year) AS unit_name,
    arg_max(unit_code, year) AS unit_code,
    arg_max(region, year)    AS region,
    arg_max(level, year)     AS level,
    arg_max(sector, year)    AS sector,
    arg_max(unit_name, year) || '（' || COALESCE(arg_max(region, year), '未填地区') || ' · '
        || COALESCE(arg_max(level, year), '未填层级') || '）' AS label,
    bool_or(($region IS NULL OR region = $region)
            AND ($level  IS NULL OR level  = $level)
            AND ($sector IS NULL OR sector = $sector)
            AND ($year   IS NULL OR year   = $year)) AS in_scope
FROM unit u
JOIN unit_year_rate r ON r.unit_id = u.unit_id
WHERE list_contains($unit_keys, u.unit_key)
GROUP BY r.unit_key
ORDER BY list_position($unit_keys, r.unit_key);

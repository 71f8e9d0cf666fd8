-- purpose: the units the pickers offer (unit profile, trend overlays, comparison): every unit
--          that has figures in any year within the filters, under its latest name.
-- row:     one budget unit (unit_key), with its latest name, region and level, and the label
--          the pickers show: 单位名称（地区 · 层级）.
-- units:   first_year / last_year are years.
-- params:  $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT
    unit_key,
    arg_max(unit_name, year) AS unit_name,
    arg_max(unit_code, year) AS unit_code,
    arg_max(region, year)    AS region,
    arg_max(level, year)     AS level,
    arg_max(sector, year)    AS sector,
    min(year)                AS first_year,
    max(year)                AS last_year,
    arg_max(unit_name, year) || '（' || COALESCE(arg_max(region, year), '未填地区') || ' · '
        || COALESCE(arg_max(level, year), '未填层级') || '）' AS label
FROM unit_year_rate
WHERE ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY unit_key
ORDER BY region NULLS LAST, unit_name, unit_key;

-- purpose: the unit pickers' full list when nothing is typed and no year is set: every unit
--          within the filters, as pages/unit_search.sql returns it for $q = NULL and
--          $year = NULL, read from unit_scope_latest (one row per unit and region × level ×
--          sector it had) instead of aggregating every unit-year. At most $limit rows;
--          `matches` says how many units there are.
-- row:     one budget unit (unit_key) under its latest name within the filters, with the label
--          单位名称（地区 · 层级） and `matches`, the number of units within the filters.
-- formula: within the filters, per unit: unit_name, region, level, sector = those of its latest
--          year (the latest non-NULL one for region / level / sector, as arg_max over the
--          unit-years gives); unit_code = the latest code given (its year is code_year).
-- units:   matches is a count of units.
-- params:  $region, $level, $sector VARCHAR or NULL (NULL = all); $limit INTEGER (most rows
--          returned).
WITH hits AS (
    SELECT
        unit_key,
        arg_max(unit_name, last_year)  AS unit_name,
        arg_max(unit_code, code_year)  AS unit_code,
        arg_max(region, last_year)     AS region,
        arg_max(level, last_year)      AS level,
        arg_max(sector, last_year)     AS sector
    FROM unit_scope_latest
    WHERE metric = 'self_score'        -- every unit and attributes have one row per metric
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
    GROUP BY unit_key
)
SELECT
    unit_key, unit_name, unit_code, region, level, sector,
    unit_name || '（' || COALESCE(region, '未填地区') || ' · ' || COALESCE(level, '未填层级') || '）' AS label,
    count(*) OVER () AS matches
FROM hits
ORDER BY region NULLS LAST, unit_name, unit_key
LIMIT $limit;

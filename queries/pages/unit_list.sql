-- purpose: the unit pickers' list when nothing is typed: every unit within the filters (with
--          figures in $year when given), as pages/unit_search.sql returns it for $q = NULL, read
--          from unit_pick (one row per unit unless it was renamed, recoded or moved) in the
--          list's plain order, so that the first $limit of 500,000 units are found without
--          aggregating or computing anything per unit. `matches` says how many units there are.
-- row:     one budget unit (unit_key) under its latest name within the filters (its name in
--          $year when given), with the label 单位名称（地区 · 层级） and `matches`, the number
--          of units within the filters (the same on every row).
-- formula: per unit: no filter and no year — its whole row; $year — its row holding that year
--          (one per unit); a filter without a year — its only row, or for a unit with several
--          rows arg_max(…, last_year) over those within the filters (= arg_max(…, year) over
--          its unit-years within the filters, as pages/unit_search.sql takes them).
-- units:   matches is a count of units.
-- params:  $year INTEGER or NULL (units with figures in that year; NULL = any year);
--          $region, $level, $sector VARCHAR or NULL (NULL = all); $limit INTEGER (most rows
--          returned).
WITH found AS NOT MATERIALIZED (
    SELECT *,
           -- the row is the unit's answer as it stands (no aggregation)
           CASE WHEN $year IS NOT NULL THEN variants = 1 OR NOT whole
                WHEN $region IS NULL AND $level IS NULL AND $sector IS NULL THEN whole
                ELSE variants = 1 END                                          AS direct
    FROM unit_pick
    WHERE ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
      AND ($year   IS NULL OR $year BETWEEN first_year AND last_year)
),
several AS NOT MATERIALIZED (
    -- units with several rows, a filter and no year: their rows within the filters, aggregated
    SELECT unit_key,
           arg_max(unit_name, last_year) AS unit_name, arg_max(unit_code, last_year) AS unit_code,
           arg_max(region, last_year) AS region, arg_max(level, last_year) AS level,
           arg_max(sector, last_year) AS sector
    FROM found
    WHERE $year IS NULL AND NOT ($region IS NULL AND $level IS NULL AND $sector IS NULL)
      AND NOT whole
    GROUP BY unit_key
),
shown AS (
    SELECT * FROM (
        SELECT unit_key, unit_name, unit_code, region, level, sector FROM found WHERE direct
        UNION ALL
        SELECT * FROM several
    )
    ORDER BY region NULLS LAST, unit_name, unit_key
    LIMIT $limit
)
SELECT
    unit_key, unit_name, unit_code, region, level, sector,
    unit_name || '（' || COALESCE(region, '未填地区') || ' · ' || COALESCE(level, '未填层级') || '）' AS label,
    (SELECT count(*) FROM found WHERE direct) + (SELECT count(*) FROM several) AS matches
FROM shown
ORDER BY region NULLS LAST, unit_name, unit_key;

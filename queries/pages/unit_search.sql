-- purpose: the search-first unit pickers (unit profile, trend overlays, comparison): units
--          within the filters whose name (in any year within the filters) contains the typed
--          text, or whose unit code is the typed text; NULL text = every unit within the
--          filters (the pickers' list without text is pages/unit_list.sql, the same rows in the
--          same order without the ranking by closeness). At most $limit rows, best matches
--          first; `matches` says how many there are. Read from unit_pick (one row per unit unless
--          it was renamed, recoded or moved): only units with several rows are aggregated.
-- row:     one budget unit (unit_key) under its latest name among the years that match (its
--          latest name within the filters when $q is NULL), with the label the pickers show:
--          单位名称（地区 · 层级）, and `matches`, the number of units found (the same on every
--          row; more than the rows returned when the limit cut the list).
-- formula: per unit, over its unit_pick rows within the filters (holding $year, when given)
--          whose name contains the text or whose code is the text: with $year its one row
--          holding that year; without, its only row, or (several rows) unit_name, unit_code,
--          region, level, sector = arg_max(…, last_year) over them (= arg_max(…, year) over the
--          matching unit-years); code_hit = some code is the text, prefix_hit = some name starts
--          with it. No filter, no year and no text: the unit's whole row.
-- units:   matches is a count of units.
-- params:  $q VARCHAR or NULL (the typed fragment, matched case-insensitively as plain text —
--          % and _ are not wildcards); $year INTEGER or NULL (units with figures in that year;
--          NULL = any year); $region, $level, $sector VARCHAR or NULL (NULL = all);
--          $limit INTEGER (most rows returned).
WITH found AS NOT MATERIALIZED (
    SELECT *,
           -- the row is the unit's answer as it stands (no aggregation)
           CASE WHEN $year IS NOT NULL THEN variants = 1 OR NOT whole
                WHEN $q IS NULL AND $region IS NULL AND $level IS NULL AND $sector IS NULL THEN whole
                ELSE variants = 1 END                                          AS direct
    FROM unit_pick
    WHERE ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
      AND ($year   IS NULL OR $year BETWEEN first_year AND last_year)
      AND ($q IS NULL OR contains(name_lower, lower($q)) OR code_lower = lower($q))
),
hits AS NOT MATERIALIZED (
    SELECT unit_key, unit_name, unit_code, region, level, sector,
           COALESCE(code_lower = lower($q), false)                 AS code_hit,
           COALESCE(starts_with(name_lower, lower($q)), false)     AS prefix_hit
    FROM found
    WHERE direct
    UNION ALL
    -- units with several rows, without a year, when there is text or a filter
    SELECT unit_key,
           arg_max(unit_name, last_year), arg_max(unit_code, last_year),
           arg_max(region, last_year), arg_max(level, last_year), arg_max(sector, last_year),
           COALESCE(bool_or(code_lower = lower($q)), false),
           COALESCE(bool_or(starts_with(name_lower, lower($q))), false)
    FROM found
    WHERE $year IS NULL AND NOT ($q IS NULL AND $region IS NULL AND $level IS NULL AND $sector IS NULL)
      AND NOT whole
    GROUP BY unit_key
),
shown AS (
    SELECT *
    FROM hits
    -- exact code, then names starting with the text, then shorter names (closer matches) first;
    -- with no text, the order of the full lists (region, name).
    ORDER BY code_hit DESC, prefix_hit DESC,
             CASE WHEN $q IS NOT NULL THEN length(unit_name) END,
             region NULLS LAST, unit_name, unit_key
    LIMIT $limit
)
SELECT
    unit_key, unit_name, unit_code, region, level, sector,
    unit_name || '（' || COALESCE(region, '未填地区') || ' · ' || COALESCE(level, '未填层级') || '）' AS label,
    (SELECT count(*) FROM found WHERE direct)
        + (SELECT count(DISTINCT unit_key) FROM found
           WHERE $year IS NULL AND NOT ($q IS NULL AND $region IS NULL AND $level IS NULL AND $sector IS NULL)
             AND NOT whole) AS matches
FROM shown
ORDER BY code_hit DESC, prefix_hit DESC,
         CASE WHEN $q IS NOT NULL THEN length(unit_name) END,
         region NULLS LAST, unit_name, unit_key;

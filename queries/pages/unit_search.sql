-- purpose: the search-first unit pickers (unit profile, trend overlays, comparison): units
--          within the filters whose name (in any year within the filters) contains the typed
--          text, or whose unit code is the typed text; NULL text = every unit within the
--          filters. At most $limit rows, best matches first; `matches` says how many there are.
-- row:     one budget unit (unit_key) under its latest name among the rows that match (its
--          latest name within the filters when $q is NULL), with the label the pickers show:
--          单位名称（地区 · 层级）, and `matches`, the number of units found (the same on every
--          row; more than the rows returned when the limit cut the list).
-- units:   matches is a count of units.
-- params:  $q VARCHAR or NULL (the typed fragment, matched case-insensitively as plain text —
--          % and _ are not wildcards); $year INTEGER or NULL (units with figures in that year;
--          NULL = any year); $region, $level, $sector VARCHAR or NULL (NULL = all);
--          $limit INTEGER (most rows returned).
WITH hits AS (
    SELECT
        unit_key,
        arg_max(unit_name, year)                            AS unit_name,
        arg_max(unit_code, year)                            AS unit_code,
        arg_max(region, year)                               AS region,
        arg_max(level, year)                                AS level,
        arg_max(sector, year)                               AS sector,
        COALESCE(bool_or(lower(unit_code) = lower($q)), false)            AS code_hit,
        COALESCE(bool_or(starts_with(lower(unit_name), lower($q))), false) AS prefix_hit
    FROM unit_year_rate
    WHERE ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
      AND ($year   IS NULL OR year   = $year)
      AND ($q IS NULL OR contains(lower(unit_name), lower($q)) OR lower(unit_code) = lower($q))
    GROUP BY unit_key
)
SELECT
    unit_key, unit_name, unit_code, region, level, sector,
    unit_name || '（' || COALESCE(region, '未填地区') || ' · ' || COALESCE(level, '未填层级') || '）' AS label,
    count(*) OVER () AS matches
FROM hits
-- exact code, then names starting with the text, then shorter names (closer matches) first;
-- with no text, the order of the full lists (region, name).
ORDER BY code_hit DESC, prefix_hit DESC,
         CASE WHEN $q IS NOT NULL THEN length(unit_name) END,
         region NULLS LAST, unit_name, unit_key
LIMIT $limit;

-- purpose: the few flags the overview spells out: the first flag of each unit, taken from the
--          high-severity flags when there are any in scope, else from all.
-- row:     one unit's most important flag in year $year (its first in display order); at most
--          $limit rows, in display order.
-- units:   value a fraction (self_score in points).
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all); $limit INTEGER.
WITH scoped AS (
    SELECT *
    FROM unit_flag
    WHERE year = $year
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
chosen AS (
    SELECT *
    FROM scoped
    WHERE severity = 'high' OR NOT EXISTS (SELECT 1 FROM scoped WHERE severity = 'high')
    QUALIFY row_number() OVER (PARTITION BY unit_key ORDER BY position) = 1
)
SELECT unit_key, unit_name, metric, kind, severity, reason
FROM chosen
ORDER BY position
LIMIT $limit;

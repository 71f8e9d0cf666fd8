-- purpose: what an incoming file would change about stored units that must be confirmed
--          (DESIGN §1 "Unit identity"): a budget row giving a unit (same unit_key) another 地区
--          or 层级 than its latest stored year has; a 单位编码 that equals a stored one once the
--          leading zeros of both are stripped, but is not the same code (001234 vs 1234).
-- row:     one question: unit_key, unit_name, what ('地区' | '层级' | '单位编码'), old, new.
-- params:  none. Reads the temp view `unit_rows` (unit_key, unit_name, unit_code, region, level,
--          has_region, has_level: whether the row's file is a budget file with that column; a
--          column the file lacks keeps its stored value, so it is not compared; a blank cell
--          clears it, so it is).
WITH latest AS (
    SELECT unit_key, arg_max(region, year) AS region, arg_max(level, year) AS level
    FROM budget GROUP BY unit_key
),
f AS (
    SELECT DISTINCT unit_key, unit_name, unit_code, has_region, has_level,
           CAST(region AS VARCHAR) AS region, CAST(level AS VARCHAR) AS level
    FROM unit_rows
),
codes AS (
    SELECT DISTINCT unit_code FROM f WHERE unit_code IS NOT NULL
),
-- the file's codes no stored row has exactly (usually none): only they can meet a stored code
-- that differs by its leading zeros, so the stored codes are read once, against these few
unstored AS (
    SELECT unit_code FROM codes c
    WHERE NOT EXISTS (SELECT 1 FROM budget  b WHERE b.unit_code = c.unit_code)
      AND NOT EXISTS (SELECT 1 FROM score   s WHERE s.unit_code = c.unit_code)
      AND NOT EXISTS (SELECT 1 FROM project p WHERE p.unit_code = c.unit_code)
),
stripped AS (
    SELECT unit_code, ltrim(unit_code, '0') AS bare FROM unstored
),
stored_codes AS (
    SELECT DISTINCT unit_code FROM (
        SELECT unit_code FROM budget  WHERE ltrim(unit_code, '0') IN (SELECT bare FROM stripped)
        UNION ALL SELECT unit_code FROM score   WHERE ltrim(unit_code, '0') IN (SELECT bare FROM stripped)
        UNION ALL SELECT unit_code FROM project WHERE ltrim(unit_code, '0') IN (SELECT bare FROM stripped)
    )
)
SELECT f.unit_key, f.unit_name, '地区' AS what, l.region AS old, f.region AS new
FROM f JOIN latest l USING (unit_key)
WHERE f.has_region AND f.region IS DISTINCT FROM l.region
UNION ALL
SELECT f.unit_key, f.unit_name, '层级', l.level, f.level
FROM f JOIN latest l USING (unit_key)
WHERE f.has_level AND f.level IS DISTINCT FROM l.level
UNION ALL
SELECT DISTINCT f.unit_key, f.unit_name, '单位编码', s.unit_code, f.unit_code
FROM f JOIN unstored USING (unit_code)
JOIN stored_codes s ON ltrim(s.unit_code, '0') = ltrim(f.unit_code, '0') AND s.unit_code <> f.unit_code
ORDER BY 1, 3, 4;

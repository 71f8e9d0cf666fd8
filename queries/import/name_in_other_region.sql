-- purpose: a budget row for a new unit without a 单位编码 whose 单位名称 is stored only in other
--          地区 (stored 甲县|县教育局, incoming 乙县|县教育局): a unit that moved, or another
--          county's unit of the same name — asked, not decided (DESIGN §1 "Unit identity").
--          Not asked when the upload itself names a stored unit of that name (then it shows the
--          name in several 地区), nor when a stored unit of that name is in the incoming 地区.
-- row:     one question per incoming unit: file_name (the first file naming it), unit_key (the
--          new "name:<地区>|<单位名称>"), unit_name, old (the stored units' latest 地区, joined
--          with 、; '（未填地区）' for one without), new (the incoming 地区).
-- params:  none. Reads the temp view `upload_rows` (file_name, file_pos, unit_key, unit_name,
--          unit_code, region: every budget row of the upload, as resolve_units settled them).
WITH f AS (
    SELECT unit_key, unit_name, CAST(region AS VARCHAR) AS region, arg_min(file_name, file_pos) AS file_name
    FROM upload_rows
    WHERE unit_code IS NULL AND region IS NOT NULL
    GROUP BY ALL
),
stored AS (   -- every name a stored unit has had, with the unit's latest 地区
    SELECT n.unit_name, n.unit_key, l.region
    FROM (SELECT DISTINCT unit_name, unit_key FROM budget) n
    JOIN (SELECT unit_key, arg_max(region, year) AS region FROM budget GROUP BY unit_key) l USING (unit_key)
)
SELECT f.file_name, f.unit_key, f.unit_name,
       string_agg(DISTINCT COALESCE(s.region, '（未填地区）'), '、' ORDER BY COALESCE(s.region, '（未填地区）')) AS old,
       f.region AS new
FROM f JOIN stored s ON s.unit_name = f.unit_name
WHERE NOT EXISTS (SELECT 1 FROM budget b WHERE b.unit_key = f.unit_key)
  AND NOT EXISTS (SELECT 1 FROM stored x WHERE x.unit_name = f.unit_name AND x.region = f.region)
  AND NOT EXISTS (SELECT 1 FROM stored x JOIN upload_rows u ON u.unit_key = x.unit_key
                  WHERE x.unit_name = f.unit_name)
GROUP BY f.file_name, f.unit_key, f.unit_name, f.region
ORDER BY f.file_name, f.unit_key;

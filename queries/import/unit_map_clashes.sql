-- purpose: what a unit map (单位对照) would make one row twice: a year in which the old unit and
--          the unit it joins (or two old units joining one) both have a budget row, the same
--          一级指标 score, the same project or the same stated rate.
-- row:     one clash: the first mapping row (of the file) involved, the year, what is doubled.
-- params:  none. Reads the temp view `map_pairs` (source_row, old_key, new_key, old_label, new_label).
WITH targets AS (   -- every key whose rows end up under new_key: the new unit and its old units
    SELECT DISTINCT new_key, new_key AS unit_key, NULL::BIGINT AS source_row, new_label AS label
    FROM map_pairs
    UNION ALL
    SELECT new_key, old_key, source_row, old_label FROM map_pairs WHERE old_key <> new_key
),
keyed AS (
    SELECT t.new_key, t.source_row, t.label, b.year, '预算执行数据' AS what, '' AS detail
    FROM targets t JOIN budget b ON b.unit_key = t.unit_key
    UNION ALL
    SELECT t.new_key, t.source_row, t.label, s.year, '一级指标「' || s.dimension || '」（' || s.score_of || '）得分', ''
    FROM targets t JOIN score s ON s.unit_key = t.unit_key
    UNION ALL
    SELECT t.new_key, t.source_row, t.label, p.year, '项目「' || p.project_name || '」', ''
    FROM targets t JOIN project p ON p.unit_key = t.unit_key
    UNION ALL
    SELECT t.new_key, t.source_row, t.label, r.year, '报告所列比率', r.metric
    FROM targets t JOIN stated_rate r ON r.unit_key = t.unit_key
),
doubled AS (
    SELECT new_key, year, what, detail,
           min(source_row) AS source_row,
           arg_min(label, source_row) FILTER (WHERE source_row IS NOT NULL) AS old_label,
           COALESCE(max(label) FILTER (WHERE source_row IS NULL), max(label)) AS new_label
    FROM keyed
    GROUP BY new_key, year, what, detail
    HAVING count(*) > 1
)
SELECT source_row, old_label, new_label, year, what
FROM doubled
ORDER BY source_row, year, what
LIMIT 50;

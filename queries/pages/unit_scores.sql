-- purpose: one unit's first-level indicator (一级指标) scores, all years — its self-evaluation's
--          and, where someone else evaluated it, the evaluation's (dimension suffixed （外部评价）).
-- row:     one first-level indicator of the unit in one year, of one score (score_of).
-- formula: score_share = score / max_score.
-- units:   max_score (NULL when the report prints no weight), score in points; score_share a fraction.
-- params:  $unit_key VARCHAR (found through table unit; unit_score holds the score table's rows
--          sorted by unit_id, so only the unit's row group is read).
SELECT
    s.year,
    CASE WHEN s.score_of = '评价' THEN s.dimension || '（外部评价）' ELSE s.dimension END AS dimension,
    s.score_of,
    CAST(s.max_score AS DOUBLE)                                          AS max_score,
    CAST(s.score AS DOUBLE)                                              AS score,
    CAST(s.score AS DOUBLE) / NULLIF(CAST(s.max_score AS DOUBLE), 0)     AS score_share
FROM unit u
JOIN unit_score s ON s.unit_id = u.unit_id
WHERE u.unit_key = $unit_key
ORDER BY s.year, s.score_of DESC,
         COALESCE(list_position(['决策', '部门决策', '预算执行', '投入管理', '过程', '管理', '部门管理',
                                 '产出', '部门产出', '效益', '效果', '部门效果'], s.dimension), 99),
         s.dimension;

-- purpose: one unit's first-level indicator (一级指标) scores, all years — its self-evaluation's
--          and, where someone else evaluated it, the evaluation's (dimension suffixed （外部评价）).
-- row:     one first-level indicator of the unit in one year, of one score (score_of).
-- formula: score_share = score / max_score.
-- units:   max_score (NULL when the report prints no weight), score in points; score_share a fraction.
-- params:  $unit_key VARCHAR.
SELECT
    year,
    CASE WHEN score_of = '评价' THEN dimension || '（外部评价）' ELSE dimension END AS dimension,
    score_of,
    CAST(max_score AS DOUBLE)                                        AS max_score,
    CAST(score AS DOUBLE)                                            AS score,
    CAST(score AS DOUBLE) / NULLIF(CAST(max_score AS DOUBLE), 0)     AS score_share
FROM score
WHERE unit_key = $unit_key
ORDER BY year, score_of DESC,
         COALESCE(list_position(['决策', '部门决策', '预算执行', '投入管理', '过程', '管理', '部门管理',
                                 '产出', '部门产出', '效益', '效果', '部门效果'], dimension), 99),
         dimension;

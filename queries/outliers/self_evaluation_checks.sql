-- purpose: the facts the further self-evaluation (自评虚高) rules need: the evaluation score
--          someone else gave, and the first-level self-scores against the self-score total and
--          their maxima. Only self-scores (score_of = '自评') are checked, never an evaluation score.
-- row:     one unit-year of $years with a self-score or a self-grade.
-- formula: dim_total = Σ first-level self-scores; dim_n their count; over_max = the dimensions
--          whose score exceeds its 分值 ("投入管理 31/30"), NULL when none.
-- units:   self_score, evaluation_score, dim_total in points.
-- params:  $years LIST of INTEGER.
WITH dims AS (
    SELECT unit_key, year,
           CAST(sum(score) AS DOUBLE) AS dim_total,
           count(*)                   AS dim_n,
           string_agg(CASE WHEN score > max_score
                           THEN dimension || ' ' || CAST(CAST(score AS DOUBLE) AS VARCHAR) || '/'
                                || CAST(CAST(max_score AS DOUBLE) AS VARCHAR) END, '、') AS over_max
    FROM score
    WHERE list_contains($years, year) AND score_of = '自评'
    GROUP BY unit_key, year
)
SELECT r.unit_code, r.unit_name, r.year, r.unit_key, r.region, r.level, r.sector,
       r.self_score, r.grade, CAST(b.evaluation_score AS DOUBLE) AS evaluation_score, b.evaluation_grade,
       d.dim_total, d.dim_n, d.over_max
FROM unit_year_rate r
JOIN budget b ON b.unit_key = r.unit_key AND b.year = r.year
LEFT JOIN dims d ON d.unit_key = r.unit_key AND d.year = r.year
WHERE list_contains($years, r.year) AND (r.self_score IS NOT NULL OR r.grade IS NOT NULL)
ORDER BY r.year, r.unit_key;

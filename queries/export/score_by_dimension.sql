-- purpose: how well units scored on each first-level indicator (一级指标) in one year.
-- row:     one dimension (indicator name as reported; frameworks differ between provinces, so
--          e.g. 产出 may be worth 25 points in one and 30 in another).
-- formula: score_rate = Σ score / Σ max_score over the units that reported the dimension
--          (a points-weighted 得分率, comparable across frameworks).
-- units:   score_sum, max_sum, avg_score, min_max_score, max_max_score in points; score_rate a
--          fraction; unit_count a number of units.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (matched against the
--          unit's attributes in the same year; NULL = all).
SELECT
    s.dimension,
    count(DISTINCT s.unit_key)                                        AS unit_count,
    CAST(sum(s.score) AS DOUBLE)                                      AS score_sum,
    CAST(sum(s.max_score) AS DOUBLE)                                  AS max_sum,
    CAST(sum(s.score) AS DOUBLE) / NULLIF(CAST(sum(s.max_score) AS DOUBLE), 0) AS score_rate,
    CAST(avg(s.score) AS DOUBLE)                                      AS avg_score,
    CAST(min(s.max_score) AS DOUBLE)                                  AS min_max_score,
    CAST(max(s.max_score) AS DOUBLE)                                  AS max_max_score
FROM score s
LEFT JOIN unit_year_rate r ON r.unit_key = s.unit_key AND r.year = s.year
WHERE s.year = $year
  AND ($region IS NULL OR r.region = $region)
  AND ($level  IS NULL OR r.level  = $level)
  AND ($sector IS NULL OR r.sector = $sector)
GROUP BY s.dimension
ORDER BY score_rate, s.dimension;

-- purpose: how well units scored on each first-level indicator (一级指标) in one year.
-- row:     one dimension (indicator name as reported; frameworks differ between provinces, so
--          e.g. 产出 may be worth 25 points in one and 30 in another).
-- formula: score_rate = Σ score / Σ max_score over the units that reported the dimension
--          (a points-weighted 得分率, comparable across frameworks); unit_count = rows of the
--          dimension (score holds one row per unit, year, score_of and dimension — the importer's
--          key — and only 自评 rows are read, so no DISTINCT over unit keys is needed). Scope = the unit's region / level / sector
--          in the same year (unit_year_rate); with no filter, every score row of the year (the
--          branch with the unit_year_rate lookup is then dropped: its WHERE is constant false).
-- units:   score_sum, max_sum, avg_score, min_max_score, max_max_score in points; score_rate a
--          fraction; unit_count a number of units.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (matched against the
--          unit's attributes in the same year; NULL = all).
WITH scoped AS (
    SELECT unit_key
    FROM unit_year_rate
    WHERE year = $year
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
year_scores AS (
    SELECT unit_key, dimension, score, max_score
    FROM score
    WHERE year = $year AND score_of = '自评' AND max_score IS NOT NULL
),
in_scope AS (
    SELECT * FROM year_scores
    WHERE $region IS NULL AND $level IS NULL AND $sector IS NULL
    UNION ALL
    SELECT * FROM year_scores
    WHERE NOT ($region IS NULL AND $level IS NULL AND $sector IS NULL)
      AND unit_key IN (SELECT unit_key FROM scoped)
)
SELECT
    dimension,
    count(*)                                                        AS unit_count,
    CAST(sum(score) AS DOUBLE)                                      AS score_sum,
    CAST(sum(max_score) AS DOUBLE)                                  AS max_sum,
    CAST(sum(score) AS DOUBLE) / NULLIF(CAST(sum(max_score) AS DOUBLE), 0) AS score_rate,
    CAST(avg(score) AS DOUBLE)                                      AS avg_score,
    CAST(min(max_score) AS DOUBLE)                                  AS min_max_score,
    CAST(max(max_score) AS DOUBLE)                                  AS max_max_score
FROM in_scope
GROUP BY dimension
ORDER BY score_rate, dimension;

-- purpose: how many units got each grade (评价等级) in one year, within the filters.
-- row:     one grade (优 / 良 / 中 / 差, or 未评级 when none was reported) with its unit count.
-- units:   unit_count is a count of units.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH g AS (
    SELECT COALESCE(grade, '未评级') AS grade_label
    FROM unit_year_rate
    WHERE year = $year
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
)
SELECT grade_label AS grade, count(*) AS unit_count
FROM g
GROUP BY grade_label
ORDER BY COALESCE(list_position(['优', '良', '中', '差', '未评级'], grade_label), 99), grade_label;

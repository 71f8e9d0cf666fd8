-- purpose: how many units reported each 评价等级 per year (grade mix chart of the meeting pack).
-- row:     one year × one grade; grade = '未评级' when the unit reported no grade.
-- units:   unit_count is a number of budget units.
-- params:  $year_from, $year_to INTEGER or NULL (NULL = open end); $region, $level, $sector
--          VARCHAR or NULL (NULL = all).
SELECT
    year,
    COALESCE(grade, '未评级') AS grade,
    count(*)                  AS unit_count
FROM unit_year_rate
WHERE ($year_from IS NULL OR year >= $year_from)
  AND ($year_to   IS NULL OR year <= $year_to)
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY ALL
ORDER BY year, grade;

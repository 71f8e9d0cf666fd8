-- purpose: how many budget units the meeting pack covers (its title slide, and whether there
--          is anything to export at all).
-- row:     one row: unit_count.
-- units:   unit_count is a number of budget units (unit-years of year $year).
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT count(*) AS unit_count
FROM unit_year_rate
WHERE year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector);

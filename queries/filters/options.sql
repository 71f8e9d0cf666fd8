-- purpose: the values the sidebar filters offer (years, regions, levels, sectors present in the data),
--          read from group_year_total (one row per year × region × level × sector that has units in
--          unit_year_rate: the same values, from thousands of rows instead of every unit-year).
-- row:     one distinct (dimension, value) pair; dimension is 'year' | 'region' | 'level' | 'sector'.
-- params:  none.
SELECT DISTINCT 'year' AS dimension, CAST(year AS VARCHAR) AS value FROM group_year_total
UNION ALL SELECT DISTINCT 'region', region FROM group_year_total WHERE region IS NOT NULL
UNION ALL SELECT DISTINCT 'level',  level  FROM group_year_total WHERE level  IS NOT NULL
UNION ALL SELECT DISTINCT 'sector', sector FROM group_year_total WHERE sector IS NOT NULL
ORDER BY dimension, value;

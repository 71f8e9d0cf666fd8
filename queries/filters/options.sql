-- purpose: the values the sidebar filters offer (years, regions, levels, sectors present in the data).
-- row:     one distinct (dimension, value) pair; dimension is 'year' | 'region' | 'level' | 'sector'.
-- params:  none.
SELECT DISTINCT 'year' AS dimension, CAST(year AS VARCHAR) AS value FROM unit_year_rate
UNION ALL SELECT DISTINCT 'region', region FROM unit_year_rate WHERE region IS NOT NULL
UNION ALL SELECT DISTINCT 'level',  level  FROM unit_year_rate WHERE level  IS NOT NULL
UNION ALL SELECT DISTINCT 'sector', sector FROM unit_year_rate WHERE sector IS NOT NULL
ORDER BY dimension, value;

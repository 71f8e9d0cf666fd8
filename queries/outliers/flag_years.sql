-- purpose: the years that have unit figures, i.e. the years flags can be computed for.
-- row:     one year.
-- params:  none.
SELECT DISTINCT year FROM unit_year_rate ORDER BY year;

-- purpose: the years of the unit-years in import_touched (the years a refresh recomputes, with
--          the years after them for the year-on-year rules).
-- row:     one year.
-- params:  none.
SELECT DISTINCT year FROM import_touched ORDER BY year;

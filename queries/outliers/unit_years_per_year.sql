-- purpose: how many unit-years each year holds, to split a flags refresh into passes of
--          bounded size.
-- row:     one year: unit_years = its number of units.
-- params:  none.
SELECT year, count(*) AS unit_years FROM unit_year_rate GROUP BY year ORDER BY year;

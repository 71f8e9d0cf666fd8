-- purpose: keep the 项目执行 page's derived tables in step: project_category_total (the year's
--          project count and amounts by category within each region / level / sector) for every
--          year when $all_years, else the touched years whole; project_low (the projects below
--          the execution cutoff) for every unit-year, else the unit-years of touched_unit
--          (rates/touched_units.sql).
-- row:     (statements) project_category_total: one category of one year × region × level ×
--          sector (the unit's unit_year_rate row that year, NULL attributes without one);
--          project_low: one project of the view project_rate with project_execution_rate <
--          $low_cutoff, written in year, rate order.
-- formula: rated_* = sums over the projects whose project_execution_rate (view project_rate:
--          actual_spend / NULLIF(budget, 0), both as DOUBLE) is not NULL; sums exact (DECIMAL).
-- units:   amounts 万元; counts; project_execution_rate a fraction.
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (the years of touched_unit);
--          $low_cutoff DOUBLE (perfdash.derive.projects.thresholds' floor).
DELETE FROM project_category_total WHERE $all_years OR list_contains($years, year);

INSERT INTO project_category_total
SELECT p.year, r.region, r.level, r.sector, COALESCE(p.category, '未分类') AS category,
       count(*), sum(p.budget), sum(p.actual_spend),
       sum(p.budget) FILTER (rated), sum(p.actual_spend) FILTER (rated)
FROM (SELECT *, CAST(actual_spend AS DOUBLE) / NULLIF(CAST(budget AS DOUBLE), 0) IS NOT NULL AS rated
      FROM project
      WHERE $all_years) AS p
LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5;

-- the touched years (a separate statement: `$all_years OR …` would read every year's projects)
INSERT INTO project_category_total
SELECT p.year, r.region, r.level, r.sector, COALESCE(p.category, '未分类') AS category,
       count(*), sum(p.budget), sum(p.actual_spend),
       sum(p.budget) FILTER (rated), sum(p.actual_spend) FILTER (rated)
FROM (SELECT *, CAST(actual_spend AS DOUBLE) / NULLIF(CAST(budget AS DOUBLE), 0) IS NOT NULL AS rated
      FROM project
      WHERE NOT $all_years AND list_contains($years, year)) AS p
LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year AND list_contains($years, r.year)
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5;

DELETE FROM project_low WHERE $all_years;

DELETE FROM project_low p USING touched_unit k
WHERE NOT $all_years AND p.unit_key = k.unit_key AND p.year = k.year;

INSERT INTO project_low
SELECT p.unit_key, p.year, p.project_name, p.unit_name, p.category,
       p.budget, p.actual_spend, p.idle_amount, p.project_execution_rate
FROM project_rate p
WHERE $all_years AND p.project_execution_rate < $low_cutoff
ORDER BY p.year, p.project_execution_rate;

INSERT INTO project_low
SELECT p.unit_key, p.year, p.project_name, p.unit_name, p.category,
       p.budget, p.actual_spend, p.idle_amount, p.project_execution_rate
FROM project_rate p
JOIN touched_unit k ON k.unit_key = p.unit_key AND k.year = p.year
WHERE NOT $all_years AND list_contains($years, p.year) AND p.project_execution_rate < $low_cutoff
ORDER BY p.year, p.project_execution_rate;

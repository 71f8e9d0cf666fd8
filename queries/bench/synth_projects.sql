-- purpose: benchmark data (perfdash bench, national scale): $projects projects for every synthetic
--          unit-year, written into project as batch $batch_id (after bench/synth_budget.sql).
-- row:     one project of one unit in one year.
-- formula: kind = (k + unit serial) mod #kinds, name = the kind's name (+ （n） when k ≥ #kinds);
--          budget = adjusted × 0.6 / $projects × U(0.5, 1.5); execution U(0.8, 1), 0.2 % U(0.3, 0.8),
--          0.03 % nothing spent; actual = budget × execution.
-- units:   amounts 万元 rounded to 2 decimals.
-- params:  $projects, $seed, $batch_id INTEGER; $project_names, $project_categories VARCHAR[].
INSERT INTO project
WITH p AS (
    SELECT b.unit_key, b.year, b.unit_code, b.unit_name, k.range AS k,
           CAST(b.adjusted_budget AS DOUBLE) * 0.6 / $projects
             * (0.5 + synth_u(hash(b.unit_key), b.year * 1000 + k.range, $seed, 'pbud'))  AS budget,
           synth_u(hash(b.unit_key), b.year * 1000 + k.range, $seed, 'pdraw')            AS draw,
           synth_u(hash(b.unit_key), b.year * 1000 + k.range, $seed, 'pexec')            AS ue,
           (k.range + CAST(b.unit_code[5:] AS BIGINT)) % len($project_names)             AS kind
    FROM budget b CROSS JOIN range($projects) k
    WHERE b.batch_id = $batch_id
)
SELECT unit_key, year,
       $project_names[kind + 1]
         || CASE WHEN k >= len($project_names) THEN '（' || (k // len($project_names) + 1) || '）' ELSE '' END,
       unit_code, unit_name, $project_categories[kind + 1],
       round(budget, 2),
       round(budget * CASE WHEN draw < 0.0003 THEN 0.0 WHEN draw < 0.0023 THEN 0.3 + 0.5 * ue
                           ELSE 0.8 + 0.2 * ue END, 2),
       $batch_id
FROM p;

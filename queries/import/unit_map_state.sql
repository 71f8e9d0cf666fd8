-- purpose: where each mapping of an incoming unit map (单位对照) stands against the stored data:
--          how many stored rows the old unit has (they will move), whether the new unit has any,
--          and what the stored map already says about either key.
-- row:     one mapping of the file (temp view map_pairs), in file order.
-- units:   old_rows / new_rows are row counts over budget, score, project and stated_rate;
--          old_years the old unit's budget years, as text (2021、2022).
-- params:  none. Reads the temp view `map_pairs` (source_row, old_key, new_key, old_label,
--          new_label, old_name, unit_name).
WITH rows_of AS (
    SELECT unit_key, year FROM budget
    UNION ALL SELECT unit_key, year FROM score
    UNION ALL SELECT unit_key, year FROM project
    UNION ALL SELECT unit_key, year FROM stated_rate
),
counted AS (
    SELECT unit_key, count(*) AS n FROM rows_of
    WHERE unit_key IN (SELECT old_key FROM map_pairs UNION SELECT new_key FROM map_pairs)
    GROUP BY unit_key
),
years AS (
    SELECT unit_key, string_agg(DISTINCT CAST(year AS VARCHAR), '、' ORDER BY CAST(year AS VARCHAR)) AS listed
    FROM budget WHERE unit_key IN (SELECT old_key FROM map_pairs)
    GROUP BY unit_key
)
SELECT p.source_row, p.old_key, p.new_key, p.old_label, p.new_label, p.old_name, p.unit_name,
       COALESCE(o.n, 0) AS old_rows,
       COALESCE(n.n, 0) AS new_rows,
       y.listed AS old_years,
       m.new_key AS mapped_to, m.batch_id AS mapped_batch,
       nm.new_key AS new_mapped_to
FROM map_pairs p
LEFT JOIN counted o ON o.unit_key = p.old_key
LEFT JOIN counted n ON n.unit_key = p.new_key
LEFT JOIN years y ON y.unit_key = p.old_key
LEFT JOIN unit_map m ON m.old_key = p.old_key
LEFT JOIN unit_map nm ON nm.old_key = p.new_key
ORDER BY p.source_row;

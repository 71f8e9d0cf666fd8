-- purpose: two 单位编码 of one upload that are equal once their leading zeros are stripped (001234
--          and 1234 — Excel keeps 001234 typed as a number as 1234), neither of them stored: one
--          unit written two ways, or two units; refused rather than stored as two units silently.
--          (A spelling meeting a stored one is asked instead: import/unit_questions.sql.)
-- row:     one clash: the other spelling's first row (file_name, sheet, source_row, unit_code,
--          unit_name) and the first spelling's first row (first_file, first_sheet, first_row,
--          first_code, first_name); "first" = earliest by file order, then Excel row.
-- params:  none. Reads the temp view `upload_codes` (file_name, file_pos, sheet, source_row,
--          unit_code, unit_name: every row of the upload that gives a 单位编码).
WITH stored AS (
    SELECT unit_code FROM budget WHERE unit_code IS NOT NULL
    UNION SELECT unit_code FROM score WHERE unit_code IS NOT NULL
    UNION SELECT unit_code FROM project WHERE unit_code IS NOT NULL
),
spelt AS (   -- each spelling's first row
    SELECT ltrim(unit_code, '0') AS bare, unit_code,
           arg_min(struct_pack(file_name, sheet, source_row, unit_name), (file_pos, source_row)) AS at,
           min((file_pos, source_row)) AS pos
    FROM upload_codes
    WHERE unit_code IS NOT NULL
    GROUP BY ALL
),
clashing AS (
    SELECT * FROM spelt
    WHERE bare IN (SELECT bare FROM spelt GROUP BY bare HAVING count(*) > 1)
      AND bare NOT IN (SELECT ltrim(unit_code, '0') FROM stored)
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY bare ORDER BY pos) AS n FROM clashing
)
SELECT o.at.file_name AS file_name, o.at.sheet AS sheet, o.at.source_row AS source_row,
       o.unit_code, o.at.unit_name AS unit_name,
       f.at.file_name AS first_file, f.at.sheet AS first_sheet, f.at.source_row AS first_row,
       f.unit_code AS first_code, f.at.unit_name AS first_name
FROM ranked o JOIN ranked f ON f.bare = o.bare AND f.n = 1
WHERE o.n > 1
ORDER BY o.pos;

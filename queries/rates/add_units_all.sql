-- purpose: give every unit_key stored in budget, score or project that has no unit_id yet the
--          next ids (table unit) — a rebuild of the derived tables. Ids are never reused or
--          removed; new keys are numbered in unit_key order.
-- row:     (statement).
-- params:  none.
INSERT INTO unit (unit_id, unit_key)
WITH keys AS (
    SELECT unit_key FROM budget
    UNION SELECT unit_key FROM score
    UNION SELECT unit_key FROM project
),
fresh AS (
    SELECT k.unit_key FROM keys k ANTI JOIN unit u ON u.unit_key = k.unit_key
)
SELECT (SELECT COALESCE(max(unit_id), 0) FROM unit) + row_number() OVER (ORDER BY unit_key), unit_key
FROM fresh;

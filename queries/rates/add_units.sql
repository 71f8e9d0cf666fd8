-- purpose: give every unit_key of import_touched that has no unit_id yet the next ids (table
--          unit), before the derived tables that carry unit_id are written. Ids are never
--          reused or removed; new keys are numbered in unit_key order.
-- row:     (statement).
-- params:  none.
INSERT INTO unit (unit_id, unit_key)
WITH fresh AS (
    SELECT DISTINCT k.unit_key FROM import_touched k ANTI JOIN unit u ON u.unit_key = k.unit_key
)
SELECT (SELECT COALESCE(max(unit_id), 0) FROM unit) + row_number() OVER (ORDER BY unit_key), unit_key
FROM fresh;

-- purpose: the unit-years of import_touched with their unit_id (temp table touched_unit), for
--          the refreshes that rewrite only the units and years a change touched.
-- row:     (statement) touched_unit: one unit_key × year, with unit_id.
-- params:  none.
CREATE OR REPLACE TEMP TABLE touched_unit AS
SELECT DISTINCT u.unit_id, t.unit_key, t.year
FROM import_touched t
JOIN unit u USING (unit_key);

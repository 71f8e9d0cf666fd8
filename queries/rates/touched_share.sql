-- purpose: how many units a refresh touches against how many units there are, so that a change
--          touching most units rewrites unit_scope_latest whole (cheaper than deleting and
--          re-inserting nearly every row).
-- row:     one row: touched_units, all_units (counts).
-- params:  none.
SELECT (SELECT count(DISTINCT unit_id) FROM touched_unit) AS touched_units,
       (SELECT count(*) FROM unit)                        AS all_units;

-- purpose: drop the refresh's temp tables import_touched and touched_unit once the derived
--          tables are written, so the next import starts from an empty list.
-- row:     (statements).
-- params:  none.
DROP TABLE IF EXISTS touched_unit;
DROP TABLE IF EXISTS import_touched;

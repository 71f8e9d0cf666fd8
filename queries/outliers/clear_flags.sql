-- purpose: drop every stored flag before all years are recomputed (rules changed, rollback).
-- row:     none (a DELETE).
-- params:  none.
DELETE FROM unit_flag;

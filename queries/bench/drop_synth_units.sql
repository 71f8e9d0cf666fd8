-- purpose: benchmark data: drop the temp table synth_unit once the synthetic figures are written.
-- row:     (statement).
-- params:  none.
DROP TABLE IF EXISTS synth_unit;

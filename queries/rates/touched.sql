-- purpose: start the list of unit-years a refresh must recompute (temp table import_touched),
--          filled by the import from each file's changed rows, by a rollback from the rows it
--          removes and restores, or from every row of the given years.
-- row:     (statement) import_touched: one unit_key × year whose figures may have changed.
-- params:  none.
CREATE TEMP TABLE IF NOT EXISTS import_touched (unit_key VARCHAR NOT NULL, year INTEGER NOT NULL);

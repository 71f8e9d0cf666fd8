-- purpose: drop the temp table import_diff once a file is written (or found unchanged), so no
--          staging data outlives the import transaction.
-- row:     (statement).
-- params:  none.
DROP TABLE IF EXISTS import_diff;

-- purpose: drop the stored flags of the years about to be recomputed.
-- row:     none (a DELETE).
-- params:  $years LIST of INTEGER.
DELETE FROM unit_flag WHERE list_contains($years, year);

-- purpose: catch a budget file read at the wrong scale when there is nothing stored to compare
--          it with (a 元 file without 「单位：元」 for units never seen before, read as 万元): the
--          median budget of the file's units that have no stored history, against what a
--          department's annual budget can be.
-- row:     one row: units (how many of the file's units have no stored history and a budget > 0),
--          median_budget (their median amount, 万元; NULL when there are none).
-- formula: amount = COALESCE(adjusted_budget, initial_budget) per unit and year of the file
--          (> 0); a unit-year has history when the same unit has an amount > 0 stored for the
--          same year or the year before (the rows import/scale_check.sql compares instead), or
--          the file itself gives the unit's year before (that jump is the data flag unit_scale's).
--          median over the rows without history.
-- units:   万元 (as read, DOUBLE).
-- params:  none. Reads the temp view `incoming` (a budget file, as registered by batches._stage).
WITH f AS (
    SELECT unit_key, CAST(year AS INTEGER) AS year,
           CAST(COALESCE(adjusted_budget, initial_budget) AS DOUBLE) AS amount
    FROM incoming
    WHERE COALESCE(adjusted_budget, initial_budget) > 0
)
SELECT count(*) AS units, median(amount) AS median_budget
FROM f
WHERE NOT EXISTS (SELECT 1 FROM f g WHERE g.unit_key = f.unit_key AND g.year = f.year - 1)
  AND NOT EXISTS (
    SELECT 1 FROM budget b
    WHERE b.unit_key = f.unit_key AND b.year IN (f.year, f.year - 1)
      AND COALESCE(b.adjusted_budget, b.initial_budget) > 0
);

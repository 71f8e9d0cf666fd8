-- purpose: a unit without a code is its 单位名称 within its 地区 (migration 6, DESIGN §1 "Unit
--          identity"): two counties' 县教育局 are two units. Re-keys the stored name-keyed rows
--          from 'name:' || 单位名称 to 'name:' || 地区 || '|' || 单位名称.
-- row:     (statements, run in order inside the migration transaction).
-- params:  none.
--
-- budget and budget_replaced rows: each by its own 地区 (a row without one keeps its key).
-- score, project and stated-rate rows (and their _replaced rows) carry no 地区: each follows its unit's
-- budget row of the same year, else the unit's one new key when all its budget rows agree;
-- otherwise (no budget rows, or budget rows in several regions and none that year) it keeps
-- its key, as before. Only keys of the old form ('name:' || unit_name) are touched, and no
-- batch_id or replaced_by changes, so every rollback restores exactly what it did before.
-- The derived tables (rates, flags) are rebuilt on opening: the stamp they are checked by is
-- removed here.

CREATE TEMP TABLE rekey_year AS
SELECT DISTINCT unit_key AS old_key, year,
       IF(region IS NULL, unit_key, 'name:' || region || '|' || unit_name) AS new_key
FROM budget
WHERE unit_key = 'name:' || unit_name;

CREATE TEMP TABLE rekey_unit AS
SELECT old_key, any_value(new_key) AS new_key
FROM rekey_year
GROUP BY old_key
HAVING count(DISTINCT new_key) = 1;

UPDATE score t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key = 'name:' || t.unit_name;

UPDATE score_replaced t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key = 'name:' || t.unit_name;

UPDATE project t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key = 'name:' || t.unit_name;

UPDATE project_replaced t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key = 'name:' || t.unit_name;

UPDATE stated_rate t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key = 'name:' || t.unit_name;

UPDATE stated_rate_replaced t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key = 'name:' || t.unit_name;

-- figure_source carries no name: an old-form key is one that a budget row above re-keys.
UPDATE figure_source t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key IN (SELECT old_key FROM rekey_year);

UPDATE figure_source_replaced t SET unit_key = COALESCE(
    (SELECT y.new_key FROM rekey_year y WHERE y.old_key = t.unit_key AND y.year = t.year),
    (SELECT u.new_key FROM rekey_unit u WHERE u.old_key = t.unit_key), t.unit_key)
WHERE t.unit_key IN (SELECT old_key FROM rekey_year);

UPDATE budget SET unit_key = 'name:' || region || '|' || unit_name
WHERE unit_key = 'name:' || unit_name AND region IS NOT NULL;

UPDATE budget_replaced SET unit_key = 'name:' || region || '|' || unit_name
WHERE unit_key = 'name:' || unit_name AND region IS NOT NULL;

DROP TABLE rekey_year;
DROP TABLE rekey_unit;

DELETE FROM meta WHERE key = 'rates_config';

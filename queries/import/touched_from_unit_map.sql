-- purpose: add the unit-years a unit map changes to import_touched: every year either side of a
--          mapping has rows, for both keys: the old key's rows leave, and arrive under the new
--          key in their years, so the refresh recomputes both. Run before import/apply_unit_map.sql.
-- row:     (statement).
-- params:  none. Reads the temp table unit_map_new.
INSERT INTO import_touched
WITH years_of AS (
    SELECT unit_key, year FROM budget
    UNION SELECT unit_key, year FROM score
    UNION SELECT unit_key, year FROM project
    UNION SELECT unit_key, year FROM stated_rate
)
SELECT DISTINCT k.unit_key, y.year
FROM unit_map_new m
JOIN years_of y ON y.unit_key IN (m.old_key, m.new_key)
CROSS JOIN LATERAL (VALUES (m.old_key), (m.new_key)) k(unit_key);

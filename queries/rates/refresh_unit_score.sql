-- purpose: keep the derived table unit_score — the score table's rows by unit_id, so one unit's
--          scores are read without scanning every unit's — in step: every row when $all_years,
--          else the unit-years of touched_unit (rates/touched_units.sql).
-- row:     (statements) unit_score: one first-level score of one unit-year, as the score table
--          holds it; a rebuild is sorted by unit_id, then year (later changes are appended in
--          that order).
-- params:  $all_years BOOLEAN.
DELETE FROM unit_score WHERE $all_years;

DELETE FROM unit_score s USING touched_unit k
WHERE NOT $all_years AND s.unit_id = k.unit_id AND s.year = k.year;

INSERT INTO unit_score
SELECT u.unit_id, s.year, s.score_of, s.dimension, s.max_score, s.score
FROM score s
JOIN unit u USING (unit_key)
WHERE $all_years
ORDER BY u.unit_id, s.year;

INSERT INTO unit_score
SELECT k.unit_id, s.year, s.score_of, s.dimension, s.max_score, s.score
FROM score s
JOIN touched_unit k ON k.unit_key = s.unit_key AND k.year = s.year
WHERE NOT $all_years
ORDER BY k.unit_id, s.year;

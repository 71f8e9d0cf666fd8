-- purpose: put every unit-year of the years $years into import_touched (a refresh of given
--          years whose changed units the caller did not list).
-- row:     (statement).
-- params:  $years LIST of INTEGER.
INSERT INTO import_touched
SELECT DISTINCT unit_key, year FROM (
    SELECT unit_key, year FROM budget  WHERE list_contains($years, year)
    UNION ALL SELECT unit_key, year FROM score   WHERE list_contains($years, year)
    UNION ALL SELECT unit_key, year FROM project WHERE list_contains($years, year)
);

-- purpose: units spread over the whole table, each with its latest year: the bench opens each one's
--          profile as a user would (a unit never opened before), and tests take plain parameters
--          from the first.
-- row:     one unit: unit_key, year (the unit's latest year); ordered by a hash of the key, so
--          the sample is the same on every run and not clustered by region or code.
-- params:  $n INTEGER — how many units.
SELECT unit_key, max(year) AS year
FROM budget
GROUP BY unit_key
ORDER BY hash(unit_key), unit_key
LIMIT $n;

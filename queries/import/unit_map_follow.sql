-- purpose: the unit each incoming key now is, by the stored unit map (单位对照), following a
--          rename of a rename to its end (at most 10 steps; the map refuses cycles).
-- row:     one incoming key the map moves: old_key, the key it ends at, and the names written in
--          the map for the first and the last step.
-- params:  none. Reads the temp view `incoming_keys` (unit_key).
WITH RECURSIVE chain(old_key, new_key, old_name, new_name, steps) AS (
    SELECT m.old_key, m.new_key, m.old_name, m.new_name, 1
    FROM unit_map m JOIN incoming_keys i ON i.unit_key = m.old_key
    UNION ALL
    SELECT c.old_key, m.new_key, c.old_name, m.new_name, c.steps + 1
    FROM chain c JOIN unit_map m ON m.old_key = c.new_key
    WHERE c.steps < 10
)
SELECT old_key, arg_max(new_key, steps) AS new_key,
       arg_min(old_name, steps) AS old_name,
       arg_max(new_name, steps) AS new_name    -- NULL when the map gave the unit by its code alone
FROM chain
GROUP BY old_key
ORDER BY old_key;

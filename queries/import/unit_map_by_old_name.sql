-- purpose: the stored mappings (单位对照) whose old name is one of the wanted names: a unit map
--          row naming an old unit by name alone means that old unit, not the unit its rows
--          were moved to (moved rows keep the name they were filed under).
-- row:     one (old_name, old_key) of the stored map.
-- params:  none. Reads the temp view `wanted_names` (unit_name).
SELECT DISTINCT old_name, old_key FROM unit_map
WHERE old_name IN (SELECT unit_name FROM wanted_names)
ORDER BY old_name, old_key;

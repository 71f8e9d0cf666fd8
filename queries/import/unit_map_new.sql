-- purpose: the mappings an incoming unit map adds (those not stored yet), kept for
--          import/apply_unit_map.sql within the import transaction.
-- row:     (statement) unit_map_new: one mapping old_key → new_key with the names as written.
-- params:  none. Reads the temp view `fresh_view` (old_key, new_key, old_name, unit_name).
CREATE OR REPLACE TEMP TABLE unit_map_new AS
SELECT CAST(old_key AS VARCHAR) AS old_key, CAST(new_key AS VARCHAR) AS new_key,
       CAST(old_name AS VARCHAR) AS old_name, CAST(unit_name AS VARCHAR) AS new_name
FROM fresh_view;

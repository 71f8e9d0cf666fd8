-- purpose: the number of the last schema migration applied (queries/schema/NNN_*.sql).
-- row:     one row, or none before migration 1 recorded itself.
-- params:  none.
SELECT CAST(value AS INTEGER) AS version FROM meta WHERE key = 'schema_version';

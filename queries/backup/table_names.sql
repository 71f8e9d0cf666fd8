-- purpose: the user tables of the database (for backup checks and comparisons).
-- row:     one base table of the main schema.
-- units:   names.
-- params:  none.
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'main' AND table_type = 'BASE TABLE'
ORDER BY table_name;

-- purpose: the rows of import_diff that would change something, for the upload preview.
-- row:     one new or changed incoming row with its stored (old_*) values; ordered as in the file.
-- params:  none.
SELECT * FROM import_diff WHERE change <> 'same' ORDER BY source_row;

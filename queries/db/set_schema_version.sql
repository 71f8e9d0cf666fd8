-- purpose: record that schema migrations up to $version are applied.
-- params:  $version INTEGER.
INSERT OR REPLACE INTO meta VALUES ('schema_version', CAST($version AS VARCHAR));

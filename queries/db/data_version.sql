-- purpose: the data version, bumped by every import and rollback; caches key on it.
-- row:     one row: version BIGINT.
-- params:  none.
SELECT CAST(value AS BIGINT) AS version FROM meta WHERE key = 'data_version';

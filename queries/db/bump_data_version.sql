-- purpose: bump the data version inside the transaction that changes the figures.
-- params:  none.
UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version';

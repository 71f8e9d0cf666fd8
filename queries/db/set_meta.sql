-- purpose: write one meta value.
-- params:  $key VARCHAR, $value VARCHAR.
INSERT OR REPLACE INTO meta VALUES ($key, $value);

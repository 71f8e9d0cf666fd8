-- purpose: read one meta value (e.g. the 口径 fingerprint the derived tables were built with).
-- row:     zero or one row: value VARCHAR.
-- params:  $key VARCHAR.
SELECT value FROM meta WHERE key = $key;

-- purpose: statistical outliers (异常) against peers: a unit whose rate lies far from the other
--          units of the same year and 层级, measured robustly (median / MAD, not mean / sd).
-- row:     one unit × one rate whose robust z-score passes $robust_z on the side the rate's rule
--          watches ('low', 'high' or 'both'), in a peer group of at least $min_peers units.
-- formula: peers = every unit of the same year and level with a non-NULL rate (all regions
--          and sectors: the filters pick which units are reported, not who their peers are);
--          median = median(rate); MAD = median(|rate − median|);
--          spread = greatest(MAD, min_spread) — the floor keeps a tight group from flagging noise;
--          robust_z = 0.6745 × (rate − median) / spread;
--          severity 'high' when |robust_z| ≥ $robust_z_high, else 'medium'.
-- units:   value, peer_median, peer_mad, spread are fractions; robust_z and peer_n are numbers.
-- params:  $years LIST of INTEGER (all units of those years; perfdash.outliers stores the
--          flags and queries/outliers/flags.sql applies the filters);
--          $rules LIST of STRUCT(metric VARCHAR, min_spread DOUBLE, direction VARCHAR);
--          $min_peers INTEGER; $robust_z DOUBLE; $robust_z_high DOUBLE.
WITH rules AS (
    SELECT r.metric AS metric, CAST(r.min_spread AS DOUBLE) AS min_spread, r.direction AS direction
    FROM (SELECT unnest($rules) AS r)
),
long AS (
    -- the unit-level rates (not the self-score) from unit_year_metric
    SELECT unit_key, year, level, metric, value
    FROM unit_year_metric
    WHERE list_contains($years, year) AND metric <> 'self_score' AND value IS NOT NULL
),
centred AS (
    SELECT l.*, r.min_spread, r.direction,
           median(l.value) OVER peers AS peer_median,
           count(*)        OVER peers AS peer_n
    FROM long l
    JOIN rules r USING (metric)
    WINDOW peers AS (PARTITION BY l.year, l.level, l.metric)
),
spread AS (
    SELECT c.*,
           median(abs(c.value - c.peer_median)) OVER (PARTITION BY c.year, c.level, c.metric) AS peer_mad
    FROM centred c
),
scored AS (
    SELECT s.*,
           greatest(s.peer_mad, s.min_spread)                            AS spread,
           0.6745 * (s.value - s.peer_median) / greatest(s.peer_mad, s.min_spread) AS robust_z
    FROM spread s
    WHERE s.peer_n >= $min_peers
)
SELECT
    u.unit_code, u.unit_name, u.year, s.metric, s.value,
    'statistical' AS kind,
    CASE WHEN abs(s.robust_z) >= $robust_z_high THEN 'high' ELSE 'medium' END AS severity,
    u.unit_key, u.region, u.level, u.sector,
    'peer' AS basis,
    s.peer_median, s.peer_mad, s.spread, s.peer_n, s.robust_z, s.direction
FROM scored s
JOIN unit_year_rate u ON u.unit_key = s.unit_key AND u.year = s.year
WHERE ((s.direction IN ('low', 'both')  AND s.robust_z <= -$robust_z)
    OR (s.direction IN ('high', 'both') AND s.robust_z >=  $robust_z))
ORDER BY u.year, abs(s.robust_z) DESC, u.unit_key, s.metric;

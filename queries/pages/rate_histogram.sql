-- purpose: the distribution of one rate across units in one year (histogram bins), so the
--          chart stays the same size whether there are 30 units or 20,000.
-- row:     one bin [bin_start, bin_end) from $lo to $hi (every bin, empty ones with 0), with the
--          number of units whose rate falls in it; rates below $lo count in the first bin and
--          rates at or above $hi in the last (clamped_low / clamped_high say that happened).
-- formula: bin index = floor((clamp(rate, $lo, $hi) − $lo) / $bin_width), clamped to the last bin.
-- units:   rates and bin edges are fractions; unit_count a count.
-- params:  $year INTEGER; $metric VARCHAR (a rate id of unit_year_metric, e.g. 'execution_rate');
--          $bin_width, $lo, $hi DOUBLE (fractions); $region, $level, $sector VARCHAR or NULL.
WITH v AS (
    SELECT value
    FROM unit_year_metric
    WHERE metric = $metric AND year = $year
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
edges AS (
    SELECT CAST(round(($hi - $lo) / $bin_width) AS INTEGER) AS n
),
bins AS (
    SELECT i AS bin FROM edges, range(0, edges.n) AS t(i)
),
binned AS (
    SELECT
        value,
        least(greatest(CAST(floor(round((value - $lo) / $bin_width, 9)) AS INTEGER), 0), edges.n - 1) AS bin
    FROM v, edges
    WHERE value IS NOT NULL
)
SELECT
    $lo + bins.bin * $bin_width                        AS bin_start,
    $lo + (bins.bin + 1) * $bin_width                  AS bin_end,
    count(binned.value)                                AS unit_count,
    COALESCE(bool_or(binned.value < $lo), false)       AS clamped_low,
    COALESCE(bool_or(binned.value >= $hi), false)      AS clamped_high
FROM bins
LEFT JOIN binned ON binned.bin = bins.bin
GROUP BY bins.bin
ORDER BY bins.bin;

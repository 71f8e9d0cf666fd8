-- purpose: the flags of one year for the units in scope counted per metric, kind and severity —
--          what the meeting pack's 预警类型分布 chart and its takeaway show — so the pack never
--          fetches every flag of the year (some 100,000 at national scale) to count them.
-- row:     one (metric, kind, severity) with at least one flag; ordered by metric, kind, severity.
-- formula: flag_count = count of unit_flag rows (as perfdash.present.charts.pack.flag_counts
--          over flags_for_year's frame).
-- units:   flag_count a number of flags.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT metric, kind, severity, count(*) AS flag_count
FROM unit_flag
WHERE year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY metric, kind, severity
ORDER BY metric, kind, severity;

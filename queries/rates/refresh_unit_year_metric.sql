-- purpose: rebuild the derived table unit_year_metric for the years $years (every year when
--          $all_years): unit_year_rate's rates in long format, so a query that picks a metric
--          reads `WHERE metric = $metric` instead of choosing a column, with each value's
--          standing among its peers, so a unit's profile reads its percentiles instead of
--          aggregating every peer per click. Run right after refresh_unit_year_rate (same
--          transaction). Adding a rate = one more branch here (with the next branch number).
-- row:     one unit-year × one metric id: the seven rate ids of perfdash.metrics.UNIT_RATE_IDS
--          and self_score — a row for every unit-year and metric, value NULL where the rate is.
-- formula: value = the rate (or self-score) as unit_year_rate holds it — copied, not
--          recomputed; region, level, sector = the unit's in that year; unit_id its id.
--          Peers = the units of the same level (NULL level = one group) with a value of the
--          metric in the same year, the unit included; for a row with a value:
--          percentile = percent_rank() among the peers = (peers with a lower value) /
--          (peer_count − 1), 0 when the unit is its only peer (ties are not lower);
--          peer_count = number of peers; peer_median = median of the peers' values.
--          NULL for the three when the value is NULL. Written metric by metric (in branch
--          order), each by year, then unit_id.
-- units:   rates are fractions; self_score in points; percentile a fraction; peer_count a count.
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (the years whose figures may have changed;
--          ignored when $all_years).
DELETE FROM unit_year_metric WHERE $all_years OR list_contains($years, year);

INSERT INTO unit_year_metric
    (metric, year, unit_key, region, level, sector, value, unit_id, percentile, peer_count, peer_median)
WITH r AS (
    SELECT * FROM unit_year_rate WHERE $all_years OR list_contains($years, year)
),
long AS (
              SELECT 1 AS branch, 'execution_rate' AS metric, year, unit_key, region, level, sector, execution_rate AS value, unit_id FROM r
    UNION ALL SELECT 2, 'adjustment_rate',            year, unit_key, region, level, sector, adjustment_rate,            unit_id FROM r
    UNION ALL SELECT 3, 'carryover_rate',             year, unit_key, region, level, sector, carryover_rate,             unit_id FROM r
    UNION ALL SELECT 4, 'carryover_change_rate',      year, unit_key, region, level, sector, carryover_change_rate,      unit_id FROM r
    UNION ALL SELECT 5, 'sangong_control_rate',       year, unit_key, region, level, sector, sangong_control_rate,       unit_id FROM r
    UNION ALL SELECT 6, 'procurement_execution_rate', year, unit_key, region, level, sector, procurement_execution_rate, unit_id FROM r
    UNION ALL SELECT 7, 'funds_arrival_rate',         year, unit_key, region, level, sector, funds_arrival_rate,         unit_id FROM r
    UNION ALL SELECT 8, 'self_score',                 year, unit_key, region, level, sector, self_score,                 unit_id FROM r
)
SELECT
    metric, year, unit_key, region, level, sector, value, unit_id,
    CASE WHEN value IS NOT NULL THEN percent_rank() OVER peers END,
    CASE WHEN value IS NOT NULL THEN count(value) OVER peers END,
    CASE WHEN value IS NOT NULL THEN median(value) OVER peers END
FROM long
-- One sort for the three: a row with a value has exactly its peers in its partition (the rows of
-- its metric, year and level with a value), and the frame is the whole partition for the count
-- and the median (percent_rank ignores frames).
WINDOW peers AS (PARTITION BY branch, year, level, value IS NULL ORDER BY value
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
ORDER BY branch, year, unit_id;

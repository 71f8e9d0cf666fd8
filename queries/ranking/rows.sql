-- purpose: the ranking of the 排名对比 page from one end, bounded: the rows the table shows
--          (LIMIT $limit) or, with $limit NULL, the whole ranking for the CSV download.
-- row:     one budget unit of year $year in scope with a value of $metric, with its rank and
--          the columns of rates/unit_rates.sql; in ranking order from the chosen end.
-- formula: rank = 1 + the number of units in scope with a higher value (ties share the best
--          rank, whichever end is listed first). Order: value descending ($ascending false) or
--          ascending, then unit_name, then unit_key (ties in name order, two units of one name
--          in key order). Bounded without ranking every unit: the candidates are the units up
--          to the $limit-th value from the chosen end (and any tied with it); among them the
--          rank is rank() … DESC from the top end, and N + 1 − (units with a value ≤ this one)
--          from the bottom end (N = units with a value), both exact.
-- units:   value, rates fractions (self_score points); budget and actual_spend 万元.
-- params:  $year INTEGER; $metric VARCHAR (a rate id or 'self_score'); $ascending BOOLEAN;
--          $limit INTEGER or NULL (NULL = all); $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH scoped AS (
    SELECT unit_id, value, CASE WHEN $ascending THEN value ELSE -value END AS k
    FROM unit_year_metric
    WHERE metric = $metric
      AND year = $year
      AND value IS NOT NULL
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
cutoff AS (      -- the sort key of the last row shown (all rows when $limit is NULL)
    SELECT max(k) AS k FROM (SELECT k FROM scoped ORDER BY k LIMIT $limit)
),
candidates AS (
    SELECT s.*,
           CASE WHEN $ascending
                THEN (SELECT count(*) FROM scoped) + 1
                     - count(*) OVER (ORDER BY s.value RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                ELSE rank() OVER (ORDER BY s.value DESC) END AS rank
    FROM scoped AS s
    WHERE s.k <= (SELECT k FROM cutoff)
)
SELECT
    c.rank, u.unit_key, u.unit_code, u.unit_name, u.year, u.region, u.level, u.sector,
    u.budget, u.actual_spend, u.self_score, u.grade,
    u.execution_rate, u.adjustment_rate, u.carryover_rate, u.carryover_change_rate,
    u.sangong_control_rate, u.procurement_execution_rate, u.funds_arrival_rate
FROM candidates AS c
JOIN unit_year_rate AS u ON u.year = $year AND u.unit_id = c.unit_id
ORDER BY c.k, u.unit_name, u.unit_key
LIMIT $limit;

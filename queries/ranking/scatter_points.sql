-- purpose: the bubbles of the 排名对比 page's execution-rate / self-score scatter, bounded in
--          SQL: every unit when there are at most $limit, else the units under a warning line
--          of the execution rate (lowest rate first) and then a fixed sample of the others.
-- row:     one budget unit of year $year in scope with both an execution rate and a
--          self-score, at most $limit rows; each row also carries with_both (units with both
--          values in scope) and warned (how many of them touch a warning line).
-- formula: warned = execution_rate <= $high_at_or_below OR < $high_below OR > $high_above OR
--          < $medium_below OR > $medium_above (a NULL bound does not apply; as
--          perfdash.config.Threshold.severities). The fixed sample: the other units with the
--          smallest hash(unit_key), then unit_key — DuckDB's 64-bit hash: deterministic, the
--          same units on every run (of the pinned DuckDB version), unrelated to the values, and a
--          tenth of md5's cost at 500,000 units (no USING SAMPLE: it samples before WHERE, and
--          its REPEATABLE seed is only repeatable single-threaded). Order: with at most
--          $limit units, unit_name, unit_key (as rates/unit_rates.sql); else warned units by
--          execution_rate, unit_name, unit_key, then the sample in hash order.
-- units:   execution_rate a fraction, self_score points, budget 万元; with_both, warned counts.
-- params:  $year INTEGER; $limit INTEGER; $medium_below, $medium_above, $high_below, $high_above,
--          $high_at_or_below DOUBLE or NULL (the execution rate's warning bounds);
--          $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH both_values AS (
    SELECT unit_key, unit_name, level, budget, self_score, execution_rate,
           coalesce(execution_rate <= $high_at_or_below, false)
           OR coalesce(execution_rate < $high_below, false)
           OR coalesce(execution_rate > $high_above, false)
           OR coalesce(execution_rate < $medium_below, false)
           OR coalesce(execution_rate > $medium_above, false) AS is_warned
    FROM unit_year_rate
    WHERE year = $year
      AND execution_rate IS NOT NULL
      AND self_score IS NOT NULL
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
totals AS (      -- aggregates, not window counts: count(*) FILTER … OVER () is far slower
    SELECT count(*) AS with_both, count(*) FILTER (is_warned) AS warned
    FROM both_values
)
SELECT unit_key, unit_name, level, budget, self_score, execution_rate, with_both, warned
FROM both_values
CROSS JOIN totals
ORDER BY
    CASE WHEN with_both <= $limit THEN 0 WHEN is_warned THEN 1 ELSE 2 END,
    CASE WHEN with_both > $limit AND is_warned THEN execution_rate END,
    CASE WHEN with_both > $limit AND NOT is_warned THEN hash(unit_key) END,
    unit_name, unit_key
LIMIT $limit;

-- purpose: budget-weighted rates per year and group (region, level, sector, or all units).
-- row:     one year × one value of the grouping column ($group_by); group_value = '全部' when
--          $group_by = 'all'.
-- formula: each rate = Σ numerator / Σ denominator over the units that have that rate (not a
--          mean of ratios), e.g. execution_rate = Σ actual_spend / Σ COALESCE(adjusted, initial);
--          the sums come pre-added per year × region × level × sector from group_year_total.
--          avg_self_score = Σ self-score / number of units that gave one.
-- units:   budget and actual_spend in 万元; rates are fractions; unit_count is a count.
-- params:  $group_by VARCHAR ('all' | 'region' | 'level' | 'sector');
--          $year_from, $year_to INTEGER or NULL; $region, $level, $sector VARCHAR or NULL.
SELECT
    year,
    CASE $group_by WHEN 'region' THEN region WHEN 'level' THEN level
                   WHEN 'sector' THEN sector ELSE '全部' END                   AS group_value,
    CAST(sum(unit_count) AS BIGINT)                                          AS unit_count,
    sum(budget)                                                              AS budget,
    sum(actual_spend)                                                        AS actual_spend,
    sum(self_score_sum) / NULLIF(sum(self_score_n), 0)                       AS avg_self_score,
    sum(execution_num)             / NULLIF(sum(execution_den), 0)             AS execution_rate,
    sum(adjustment_num)            / NULLIF(sum(adjustment_den), 0)            AS adjustment_rate,
    sum(carryover_num)             / NULLIF(sum(carryover_den), 0)             AS carryover_rate,
    sum(carryover_change_num)      / NULLIF(sum(carryover_change_den), 0)      AS carryover_change_rate,
    sum(sangong_control_num)       / NULLIF(sum(sangong_control_den), 0)       AS sangong_control_rate,
    sum(procurement_execution_num) / NULLIF(sum(procurement_execution_den), 0) AS procurement_execution_rate,
    sum(funds_arrival_num)         / NULLIF(sum(funds_arrival_den), 0)         AS funds_arrival_rate
FROM group_year_total
WHERE ($year_from IS NULL OR year >= $year_from)
  AND ($year_to   IS NULL OR year <= $year_to)
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY ALL
ORDER BY year, group_value;

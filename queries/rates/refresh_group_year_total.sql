-- purpose: compute the rows of the derived table group_year_total for the years $years (every
--          year when $all_years) into the temp table group_year_total_new (written by
--          rates/replace_group_year_total or rates/merge_group_year_total): the sums behind every budget-weighted
--          rate, per year and combination of region × level × sector, so that weighted trends
--          and KPIs add up a few thousand rows instead of every unit-year.
--          Run right after refresh_unit_year_rate (same transaction).
-- row:     one year × region × level × sector that has units (NULL attributes are a group too).
-- formula: unit_count = count of units; budget, actual_spend = Σ; self_score_sum / self_score_n =
--          Σ and count of the self-scores given; for each rate <id>: <id>_num and <id>_den =
--          Σ numerator and Σ denominator over the units that have that rate, so any coarser
--          group's rate is Σ <id>_num / Σ <id>_den — exactly as if summed over the units.
-- units:   amounts in 万元; self_score_sum in points; counts.
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (ignored when $all_years).
CREATE OR REPLACE TEMP TABLE group_year_total_new AS
SELECT
    year, region, level, sector,
    count(*)                                                                   AS unit_count,
    sum(budget)                                                                AS budget,
    sum(actual_spend)                                                          AS actual_spend,
    sum(self_score)                                                            AS self_score_sum,
    count(self_score)                                                          AS self_score_n,
    sum(execution_num) FILTER (execution_rate IS NOT NULL)                     AS execution_num,
    sum(execution_den) FILTER (execution_rate IS NOT NULL)                     AS execution_den,
    sum(adjustment_num) FILTER (adjustment_rate IS NOT NULL)                   AS adjustment_num,
    sum(adjustment_den) FILTER (adjustment_rate IS NOT NULL)                   AS adjustment_den,
    sum(carryover_num) FILTER (carryover_rate IS NOT NULL)                     AS carryover_num,
    sum(carryover_den) FILTER (carryover_rate IS NOT NULL)                     AS carryover_den,
    sum(carryover_change_num) FILTER (carryover_change_rate IS NOT NULL)       AS carryover_change_num,
    sum(carryover_change_den) FILTER (carryover_change_rate IS NOT NULL)       AS carryover_change_den,
    sum(sangong_control_num) FILTER (sangong_control_rate IS NOT NULL)         AS sangong_control_num,
    sum(sangong_control_den) FILTER (sangong_control_rate IS NOT NULL)         AS sangong_control_den,
    sum(procurement_execution_num) FILTER (procurement_execution_rate IS NOT NULL) AS procurement_execution_num,
    sum(procurement_execution_den) FILTER (procurement_execution_rate IS NOT NULL) AS procurement_execution_den,
    sum(funds_arrival_num) FILTER (funds_arrival_rate IS NOT NULL)             AS funds_arrival_num,
    sum(funds_arrival_den) FILTER (funds_arrival_rate IS NOT NULL)             AS funds_arrival_den
FROM unit_year_rate
WHERE $all_years OR list_contains($years, year)
GROUP BY year, region, level, sector;

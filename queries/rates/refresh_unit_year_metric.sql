-- purpose: rebuild the derived table unit_year_metric for the years $years (every year when
--          $all_years): unit_year_rate's rates in long format, so a query that picks a metric
--          reads `WHERE metric = $metric` instead of choosing a column. Run right after
--          refresh_unit_year_rate (same transaction). Adding a rate = one more branch here.
-- row:     one unit-year × one metric id: the seven rate ids of perfdash.metrics.UNIT_RATE_IDS
--          and self_score — a row for every unit-year and metric, value NULL where the rate is.
-- formula: value = the rate (or self-score) as unit_year_rate holds it — copied, not
--          recomputed; region, level, sector = the unit's in that year. Written metric by metric
--          (UNION ALL keeps its branches in order), each in unit_year_rate's year order.
-- units:   rates are fractions; self_score in points.
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (the years whose figures may have changed;
--          ignored when $all_years).
DELETE FROM unit_year_metric WHERE $all_years OR list_contains($years, year);

INSERT INTO unit_year_metric (metric, year, unit_key, region, level, sector, value)
WITH r AS (
    SELECT * FROM unit_year_rate WHERE $all_years OR list_contains($years, year)
)
          SELECT 'execution_rate',             year, unit_key, region, level, sector, execution_rate             FROM r
UNION ALL SELECT 'adjustment_rate',            year, unit_key, region, level, sector, adjustment_rate            FROM r
UNION ALL SELECT 'carryover_rate',             year, unit_key, region, level, sector, carryover_rate             FROM r
UNION ALL SELECT 'carryover_change_rate',      year, unit_key, region, level, sector, carryover_change_rate      FROM r
UNION ALL SELECT 'sangong_control_rate',       year, unit_key, region, level, sector, sangong_control_rate       FROM r
UNION ALL SELECT 'procurement_execution_rate', year, unit_key, region, level, sector, procurement_execution_rate FROM r
UNION ALL SELECT 'funds_arrival_rate',         year, unit_key, region, level, sector, funds_arrival_rate         FROM r
UNION ALL SELECT 'self_score',                 year, unit_key, region, level, sector, self_score                 FROM r;

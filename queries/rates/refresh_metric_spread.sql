-- purpose: write the rows of the derived table metric_spread of the metrics $metrics in year
--          $year (after rates/clear_metric_spread): their quartiles for every filter scope of
--          region / level / sector, so the trend page's peer band reads a few rows instead of
--          computing quantiles over every unit-year of the scope per view. One year per call, and
--          one metric per call unless the year's metrics hold few values together: a quantile
--          holds its values in memory (it cannot spill), so a national rebuild of every metric
--          and year at once does not fit a capped DuckDB.
-- row:     (statement) metric_spread: one metric × year × scope (each of region, level,
--          sector fixed or not filtered: the CUBE of the three) that has units with a value.
-- formula: unit_count = count of units with a value; p25 / median / p75 = quantile_cont(value,
--          0.25 / 0.5 / 0.75) over them, each unit once, unweighted (one call with the three
--          fractions: the same values, one sort) — what
--          pages/rate_spread_by_year.sql returns for that scope; all_<col> = the scope does not
--          filter <col> (GROUPING() = 1), else <col> holds the value the filter names (NULL =
--          units that did not report it, which no filter names).
-- units:   as unit_year_metric's value (rates fractions, self_score points); unit_count a count.
-- params:  $metrics LIST of VARCHAR; $year INTEGER.
INSERT INTO metric_spread
SELECT
    metric, year,
    g_region = 1                  AS all_region,
    g_level = 1                   AS all_level,
    g_sector = 1                  AS all_sector,
    region, level, sector,
    unit_count,
    q[1]                          AS p25,
    q[2]                          AS median,
    q[3]                          AS p75
FROM (
    SELECT
        metric, year, region, level, sector,
        grouping(region) AS g_region, grouping(level) AS g_level, grouping(sector) AS g_sector,
        count(value)                                AS unit_count,
        quantile_cont(value, [0.25, 0.50, 0.75])    AS q      -- one sort for the three
    FROM unit_year_metric
    WHERE list_contains($metrics, metric) AND year = $year AND value IS NOT NULL
    GROUP BY metric, year, CUBE (region, level, sector)
);

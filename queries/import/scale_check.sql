-- purpose: catch a whole budget file read at the wrong scale (a 元 file without 「单位：元」 read as
--          万元, or the other way round) before it is stored: the incoming budget amounts of the
--          units the database already holds, against the same units' stored amounts.
-- row:     one row: units (how many units were compared), median_ratio (incoming / stored,
--          the median over units; NULL when no unit could be compared), basis ('same_year' when
--          any unit has the same year stored, else 'prior_year').
-- formula: per unit and year of the file, amount = COALESCE(adjusted_budget, initial_budget)
--          (> 0 on both sides); stored = the same unit's amount for the same year when stored,
--          else for the year before. ratio = incoming / stored; the median over all compared
--          rows is robust: one unit whose budget really grew 10× moves it nowhere, while a file
--          in 元 read as 万元 puts every ratio — and so the median — near 10,000.
-- units:   amounts 万元 DECIMAL(18,6) on both sides; the ratio is a plain number.
-- params:  none. Reads the temp view `incoming` (a budget file, as registered by batches._stage).
WITH f AS (
    SELECT unit_key, CAST(year AS INTEGER) AS year,
           CAST(COALESCE(adjusted_budget, initial_budget) AS DOUBLE) AS amount
    FROM incoming
    WHERE COALESCE(adjusted_budget, initial_budget) > 0
),
stored AS (
    SELECT unit_key, year, CAST(COALESCE(adjusted_budget, initial_budget) AS DOUBLE) AS amount
    FROM budget
    WHERE COALESCE(adjusted_budget, initial_budget) > 0
),
compared AS (
    SELECT f.amount / COALESCE(same.amount, prior.amount) AS ratio,
           same.amount IS NOT NULL AS same_year
    FROM f
    LEFT JOIN stored same  ON same.unit_key  = f.unit_key AND same.year  = f.year
    LEFT JOIN stored prior ON prior.unit_key = f.unit_key AND prior.year = f.year - 1
    WHERE COALESCE(same.amount, prior.amount) IS NOT NULL
)
SELECT count(*)                                         AS units,
       median(ratio)                                    AS median_ratio,
       IF(bool_or(same_year), 'same_year', 'prior_year') AS basis
FROM compared;

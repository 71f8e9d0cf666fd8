-- purpose: what the unit profile says about one unit-year's figures beyond the rates: the
--          evaluation score someone else gave, and where each imported row of figures came from
--          (来源 kept at import: a report's sentence, a form's cell).
-- row:     one figure_source row of the unit-year (field 'budget', 'scores:…', 'projects:…'),
--          or one row with field NULL when there is no source but an evaluation score.
-- units:   evaluation_score in points.
-- params:  $unit_key VARCHAR; $year INTEGER.
SELECT CAST(b.evaluation_score AS DOUBLE) AS evaluation_score, b.evaluation_grade, s.field, s.source
FROM budget b
LEFT JOIN figure_source s ON s.unit_key = b.unit_key AND s.year = b.year
WHERE b.unit_key = $unit_key AND b.year = $year
ORDER BY s.field;

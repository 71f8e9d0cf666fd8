-- purpose: benchmark data (perfdash bench, national scale): first-level indicator scores of every
--          synthetic unit-year, written into score as batch $batch_id (after bench/synth_budget.sql).
-- row:     one unit, year and 一级指标 (预算执行/投入管理/产出/效益 = 10/30/25/35).
-- formula: score of dimension d = round(max_score_d × self_score / 100, 2); the last dimension takes
--          the rounding rest so the four sum exactly to the self-score.
-- units:   scores in points.
-- params:  $dimensions VARCHAR[]; $max_scores DOUBLE[]; $batch_id INTEGER.
INSERT INTO score (unit_key, year, dimension, unit_code, unit_name, max_score, score, batch_id)
WITH s AS (
    SELECT b.unit_key, b.year, b.unit_code, b.unit_name, CAST(b.self_score AS DOUBLE) AS total
    FROM budget b
    WHERE b.batch_id = $batch_id
)
SELECT unit_key, year, $dimensions[d.range + 1], unit_code, unit_name, $max_scores[d.range + 1],
       CASE WHEN d.range < len($dimensions) - 1
            THEN round($max_scores[d.range + 1] * total / 100, 2)
            ELSE round(total - list_sum(list_transform($max_scores[1:len($max_scores) - 1],
                                                       lambda m: round(m * total / 100, 2))), 2) END,
       $batch_id
FROM s CROSS JOIN range(len($dimensions)) d;

-- purpose: the facts the self-evaluation inflation (自评虚高) rules need, for the unit-years of
--          the years $years that claim a top assessment or whose self-score tops their peers.
-- row:     one unit-year of $years whose self-score is at least $excellent_score, or whose grade is
--          $excellent_grade, or whose self-score is in the top $quarter of its peers, or whose grade
--          needs more points than its self-score (claimed_floor > self_score).
-- formula: peers = units of the same year and level with both a self-score and an execution
--          rate (all regions and sectors); score_rank = percent_rank() of the self-score among them
--          (1 = highest), execution_rank = percent_rank() of the execution rate (0 = lowest);
--          ranks are NULL when fewer than $min_peers peers. claimed_floor = the lowest score of the
--          grade the unit gave itself ($grade_floors).
-- units:   self_score and claimed_floor in points; execution_rate, sangong_control_rate fractions;
--          score_rank, execution_rank in [0, 1]; peer_n a count.
-- params:  $years LIST of INTEGER (all units of those years; perfdash.outliers stores the
--          flags and queries/outliers/flags.sql applies the filters);
--          $excellent_score DOUBLE; $excellent_grade VARCHAR; $quarter DOUBLE; $min_peers INTEGER;
--          $grade_floors LIST of STRUCT(grade VARCHAR, floor DOUBLE).
WITH ranked AS (
    SELECT unit_key, year,
           count(*) OVER peers                                         AS peer_n,
           percent_rank() OVER (PARTITION BY year, level ORDER BY self_score)     AS score_rank,
           percent_rank() OVER (PARTITION BY year, level ORDER BY execution_rate) AS execution_rank
    FROM unit_year_rate
    WHERE list_contains($years, year) AND self_score IS NOT NULL AND execution_rate IS NOT NULL
    WINDOW peers AS (PARTITION BY year, level)
),
floors AS (
    SELECT g.grade AS grade, CAST(g.floor AS DOUBLE) AS floor
    FROM (SELECT unnest($grade_floors) AS g)
)
SELECT
    u.unit_code, u.unit_name, u.year, u.unit_key, u.region, u.level, u.sector,
    u.self_score, u.grade, f.floor AS claimed_floor,
    u.execution_rate, u.sangong_control_rate,
    r.peer_n,
    CASE WHEN r.peer_n >= $min_peers THEN r.score_rank END     AS score_rank,
    CASE WHEN r.peer_n >= $min_peers THEN r.execution_rank END AS execution_rank
FROM unit_year_rate u
LEFT JOIN ranked r USING (unit_key, year)
LEFT JOIN floors f ON f.grade = u.grade
WHERE list_contains($years, u.year)
  AND (u.self_score >= $excellent_score
       OR u.grade = $excellent_grade
       OR (r.peer_n >= $min_peers AND r.score_rank >= 1 - $quarter)
       OR f.floor > u.self_score)
ORDER BY u.year, u.unit_key;

-- purpose: benchmark data (perfdash bench, national scale): the synthetic budget units, one row
--          per unit, in the temp table synth_unit, plus the uniform-random macro synth_u the
--          other bench/synth_*.sql files use. Mirrors perfdash/synth.py's numpy generator.
-- row:     one synthetic budget unit: i (0-based), unit_code, unit_name, region, level, sector,
--          base (万元, the year-1 initial budget), growth (a fraction per year).
-- formula: synth_u(a, b, c, salt) = hash(a, b, c, salt) mod p / p, a deterministic uniform in
--          [0, 1); region = i mod #regions, sector = (i div #regions) mod #sectors, a quarter 市级;
--          base log-uniform 200–50,000 万元, growth 2–6 %.
-- units:   base in 万元.
-- params:  $units INTEGER; $seed INTEGER; $regions, $cities, $sectors, $departments, $counties
--          VARCHAR[] (perfdash.synth.catalogue).
CREATE OR REPLACE TEMP MACRO synth_u(a, b, c, salt) AS (hash(a, b, c, salt) % 1000000007) / 1000000007.0;

CREATE OR REPLACE TEMP TABLE synth_unit AS
WITH ids AS (
    SELECT
        range AS i,
        range % len($regions)                                      AS r,
        (range // len($regions)) % len($sectors)                   AS s,
        (range // len($regions)) // len($sectors)                  AS g
    FROM range($units)
),
named AS (
    SELECT *, g - g // 4 - 1 AS county FROM ids
)
SELECT
    i,
    printf('%04d%08d', 4101 + r, i)                                AS unit_code,
    CASE
        WHEN g % 4 = 0 AND g = 0 THEN $cities[r + 1] || $departments[s + 1]
        WHEN g % 4 = 0 THEN $cities[r + 1] || $departments[s + 1] || '第' || (g // 4) || '直属单位'
        WHEN county < len($counties) THEN $cities[r + 1] || $counties[county + 1] || $departments[s + 1]
        ELSE $cities[r + 1] || $counties[county % len($counties) + 1] || $departments[s + 1]
             || '第' || (county // len($counties) + 1) || '分局'
    END                                                            AS unit_name,
    $regions[r + 1]                                                AS region,
    CASE WHEN g % 4 = 0 THEN '市级' ELSE '县级' END                  AS level,
    $sectors[s + 1]                                                AS sector,
    exp(ln(200) + synth_u(i, 0, $seed, 'base') * (ln(50000) - ln(200))) AS base,
    0.02 + 0.04 * synth_u(i, 0, $seed, 'growth')                   AS growth
FROM named;

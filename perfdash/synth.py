"""Synthetic budget-performance data at province and national scale, for `perfdash bench`.

Two generators share one catalogue (regions, sectors, project names) and one set of
distributions, shaped like the demo set (perfdash/demo.py):

* `write_province_csvs` — vectorised numpy (no per-row Python), written as the upload files
  staff would import: one budget, one scores and one projects CSV per year, canonical Chinese
  headers, UTF-8. The benchmark imports them through the real importer.
* `generate_in_database` — the same data generated inside DuckDB with SQL (range() and
  hash()-based uniforms, queries/bench/*.sql), for national scale where 100 million project
  rows cannot sensibly travel through CSV and Python.

Distributions (both generators): initial budgets log-uniform 200–50,000 万元, growing 2–6 %
a year; adjusted budget within ±15 %; execution mostly 90–99.5 % (about 6 % of unit-years
84–90 %, 1.5 % 45–85 %, 0.5 % over 100 %); carryover follows the unspent share; funds received
97–100 %; 三公 control 70–98 % (0.5 % overspent); procurement 90–100 %; self-scores 85–98
(problem years 60–80, 1 % inflated to 95 优); first-level scores sum to the self-score
(预算执行/投入管理/产出/效益 = 10/30/25/35); `projects` projects per unit-year with execution
mostly 80–100 %, 0.2 % 30–80 %, 0.03 % nothing spent (so a few units in a hundred have a
problem project, as in the demo set).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from perfdash import metrics
from perfdash.derive import rates
from perfdash.store.connection import Database, run, run_script

DEFAULT_SEED = 20261123
DEFAULT_PROJECTS = 20          # projects per unit-year: 200,000 unit-years → 4 million projects

PROVINCE = "河南省"
PROVINCE_CITIES = ("郑州市", "开封市", "洛阳市", "平顶山市", "安阳市", "鹤壁市", "新乡市", "焦作市",
                   "濮阳市", "许昌市", "漯河市", "三门峡市", "南阳市", "商丘市", "信阳市", "周口市",
                   "驻马店市", "济源市")
PROVINCES = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
             "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
             "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
             "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区")
CITIES_PER_PROVINCE = 10
_STEM1 = "安宝长承大东丰广海和华怀嘉建金景乐临龙宁平清庆瑞沙石顺太通万文武西仙新兴延阳永玉云正中"
_STEM2 = "安城川德丰海和河华江口林陵宁平山水泰阳源州"

# sector, department name
SECTORS = (
    ("教育", "教育局"), ("卫生健康", "卫生健康委员会"), ("交通运输", "交通运输局"),
    ("农业农村", "农业农村局"), ("民政", "民政局"), ("生态环境", "生态环境局"),
    ("文化旅游", "文化广电和旅游局"), ("政务服务", "政务服务和大数据管理局"),
)
FRAMEWORK = (("预算执行", 10.0), ("投入管理", 30.0), ("产出", 25.0), ("效益", 35.0))
PROJECT_KINDS = (
    ("基础设施维修改造项目", "基本建设类"), ("专项业务经费", "专项业务类"), ("信息化建设运维项目", "信息化建设类"),
    ("日常运转保障经费", "运转类"), ("人才培训专项经费", "专项业务类"), ("设备购置项目", "基本建设类"),
    ("宣传推广经费", "专项业务类"), ("监测检测项目", "专项业务类"),
)



@dataclass(frozen=True)
class Scale:
    units: int
    years: int
    projects: int = DEFAULT_PROJECTS       # per unit-year
    last_year: int = 2025

    @property
    def first_year(self) -> int:
        return self.last_year - self.years + 1

    @property
    def unit_years(self) -> int:
        return self.units * self.years

    @property
    def project_rows(self) -> int:
        return self.unit_years * self.projects

    @property
    def national(self) -> bool:
        """Above a province (20,000 units × 10 years) the regions span the whole country."""
        return self.units > 50_000


# -- the catalogue ------------------------------------------------------------------------


def regions(national: bool) -> list[str]:
    if not national:
        return [PROVINCE + c for c in PROVINCE_CITIES]
    found = []
    for p, province in enumerate(PROVINCES):
        for c in range(CITIES_PER_PROVINCE):
            k = p * CITIES_PER_PROVINCE + c
            found.append(province + _STEM1[k % len(_STEM1)] + _STEM2[(k * 7 + p) % len(_STEM2)] + "市")
    return found


def county_names() -> list[str]:
    """Distinct county / district names (stem × stem + 县|区)."""
    return [a + b + ("县" if (i + j) % 3 else "区")
            for i, a in enumerate(_STEM1) for j, b in enumerate(_STEM2)]


def catalogue(national: bool) -> dict:
    """Lists the SQL generator binds as parameters (the numpy generator indexes the same lists)."""
    regs = regions(national)
    return {
        "regions": regs,
        "cities": [r.removeprefix(next(p for p in (*PROVINCES, PROVINCE) if r.startswith(p))) for r in regs],
        "sectors": [s for s, _ in SECTORS],
        "departments": [d for _, d in SECTORS],
        "counties": county_names(),
        "project_names": [k for k, _ in PROJECT_KINDS],
        "project_categories": [c for _, c in PROJECT_KINDS],
        "dimensions": [d for d, _ in FRAMEWORK],
        "max_scores": [m for _, m in FRAMEWORK],
    }


def _grade(score: np.ndarray) -> np.ndarray:
    return np.select([score >= 90, score >= 80, score >= 60], list(metrics.GRADES[:3]), metrics.GRADES[3])


# -- province scale: numpy → CSV ----------------------------------------------------------


def _units(scale: Scale, rng: np.random.Generator) -> dict[str, np.ndarray]:
    cat = catalogue(scale.national)
    n, n_regions, n_sectors = scale.units, len(cat["regions"]), len(SECTORS)
    i = np.arange(n)
    region_idx = i % n_regions
    serial = i // n_regions
    sector_idx = serial % n_sectors
    group = serial // n_sectors
    city_level = group % 4 == 0                       # a quarter 市级, the rest 县级
    counties = cat["counties"]
    names = []   # one per unit (not per row); the SQL generator builds the same names
    for r, s, g in zip(region_idx.tolist(), sector_idx.tolist(), group.tolist()):
        town, dept = cat["cities"][r], SECTORS[s][1]
        county = g - g // 4 - 1                       # how many 县级 groups come before this one
        if g % 4 == 0:
            names.append(f"{town}{dept}" if g == 0 else f"{town}{dept}第{g // 4}直属单位")
        elif county < len(counties):
            names.append(f"{town}{counties[county]}{dept}")
        else:
            names.append(f"{town}{counties[county % len(counties)]}{dept}第{county // len(counties) + 1}分局")
    return {
        "code": np.array([f"{4101 + r:04d}{k:08d}" for r, k in zip(region_idx.tolist(), i.tolist())], dtype=object),
        "name": np.array(names, dtype=object),
        "region": np.array(cat["regions"], dtype=object)[region_idx],
        "level": np.where(city_level, "市级", "县级").astype(object),
        "sector": np.array(cat["sectors"], dtype=object)[sector_idx],
        "base": np.exp(rng.uniform(np.log(200), np.log(50_000), n)),
        "growth": rng.uniform(0.02, 0.06, n),
    }


def province_tables(scale: Scale, seed: int = DEFAULT_SEED) -> dict[str, pa.Table]:
    """The three kinds of upload file for every year, as Arrow tables with Chinese headers."""
    rng = np.random.default_rng(seed)
    u = _units(scale, rng)
    n, years = scale.units, scale.years
    unit = np.tile(np.arange(n), years)               # year-major: all units of year 1, then year 2 …
    t = np.repeat(np.arange(years), n)
    rows = n * years

    initial = u["base"][unit] * (1 + u["growth"][unit]) ** t
    adjusted = initial * rng.uniform(0.85, 1.15, rows)
    draw = rng.random(rows)
    execution = np.select(
        [draw < 0.015, draw < 0.020, draw < 0.080],
        [rng.uniform(0.45, 0.85, rows), rng.uniform(1.01, 1.10, rows), rng.uniform(0.84, 0.90, rows)],
        rng.uniform(0.90, 0.995, rows))
    actual = adjusted * execution
    funds = adjusted * rng.uniform(0.97, 1.0, rows)
    carryover = adjusted * np.maximum(0.005, (1 - execution) * rng.uniform(0.5, 1.0, rows))
    sangong_budget = adjusted * rng.uniform(0.005, 0.02, rows)
    sangong_actual = sangong_budget * np.where(rng.random(rows) < 0.005, rng.uniform(1.02, 1.3, rows),
                                               rng.uniform(0.70, 0.98, rows))
    procurement_budget = adjusted * rng.uniform(0.05, 0.2, rows)
    procurement_actual = procurement_budget * rng.uniform(0.9, 1.0, rows)
    score = np.where(execution < 0.85, rng.uniform(60, 80, rows), rng.uniform(85, 98, rows))
    score = np.round(np.where(rng.random(rows) < 0.01, 95.0, score), 2)   # self-evaluation inflation

    def money(x):
        return pa.array(np.round(x, 2))

    code, name = pa.array(u["code"][unit]), pa.array(u["name"][unit])
    year = pa.array((scale.first_year + t).astype("int32"))
    budget = pa.table({
        "年度": year, "单位编码": code, "单位名称": name,
        "地区": pa.array(u["region"][unit]), "层级": pa.array(u["level"][unit]),
        "行业": pa.array(u["sector"][unit]),
        "年初预算数": money(initial), "调整后预算数": money(adjusted), "实际到位资金": money(funds),
        "实际支出数": money(actual), "结转结余": money(carryover),
        "上年结转结余": pa.nulls(rows, pa.float64()),      # taken from the unit's previous year
        "三公经费预算数": money(sangong_budget), "三公经费实际数": money(sangong_actual),
        "政府采购预算数": money(procurement_budget), "政府采购实际数": money(procurement_actual),
        "自评得分": pa.array(score), "评价等级": pa.array(_grade(score).astype(object)),
    })

    # first-level scores: score × share of each dimension, the last one takes the rounding rest
    dims = len(FRAMEWORK)
    s_row = np.repeat(np.arange(rows), dims)
    d = np.tile(np.arange(dims), rows)
    max_scores = np.array([m for _, m in FRAMEWORK])
    parts = np.round(max_scores[d] * score[s_row] / 100, 2)
    parts = parts.reshape(rows, dims)
    parts[:, -1] = np.round(score - parts[:, :-1].sum(axis=1), 2)
    scores = pa.table({
        "年度": year.take(s_row), "单位编码": code.take(s_row), "单位名称": name.take(s_row),
        "一级指标": pa.array([x for x, _ in FRAMEWORK]).take(pa.array(d)),
        "分值": pa.array(max_scores[d]), "得分": pa.array(parts.reshape(-1)),
    })

    per = scale.projects
    p_row = np.repeat(np.arange(rows), per)
    k = np.tile(np.arange(per), rows)
    kinds = len(PROJECT_KINDS)
    kind = (k + unit[p_row]) % kinds
    p_budget = adjusted[p_row] * 0.6 / per * rng.uniform(0.5, 1.5, rows * per)
    p_draw = rng.random(rows * per)
    p_exec = np.select([p_draw < 0.0003, p_draw < 0.0023], [0.0, rng.uniform(0.3, 0.8, rows * per)],
                       rng.uniform(0.8, 1.0, rows * per))
    suffix = np.where(k >= kinds, "（" + (k // kinds + 1).astype(str).astype(object) + "）", "")
    project_name = np.array([x for x, _ in PROJECT_KINDS], dtype=object)[kind] + suffix
    projects = pa.table({
        "年度": year.take(p_row), "单位编码": code.take(p_row), "单位名称": name.take(p_row),
        "项目名称": pa.array(project_name),
        "项目类别": pa.array([c for _, c in PROJECT_KINDS]).take(pa.array(kind)),
        "预算数": money(p_budget), "实际支出数": money(p_budget * p_exec),
    })
    return {"budget": budget, "scores": scores, "projects": projects}


def write_province_csvs(scale: Scale, out_dir: Path, seed: int = DEFAULT_SEED,
                        units: int | None = None, years: int | None = None) -> list[list[Path]]:
    """Write budget / scores / projects CSVs per year; returns [[budget, scores, projects], …] by year.

    `units` / `years` restrict the files to a sample of the scale (national mode imports a sample).
    """
    sample = Scale(units or scale.units, years or scale.years, scale.projects, scale.last_year)
    tables = province_tables(sample, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for year in range(sample.first_year, sample.last_year + 1):
        files = []
        for kind, table in tables.items():
            path = out_dir / f"{year}_{kind}.csv"
            part = table.filter(pc.equal(table["年度"], year))
            if part.num_rows == 0:            # --projects 0: no projects file at all
                continue
            pa_csv.write_csv(part, path, pa_csv.WriteOptions(quoting_style="none"))
            files.append(path)
        written.append(files)
    return written


# -- national scale: generated inside DuckDB ---------------------------------------------


def generate_in_database(db: Database, scale: Scale, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Fill budget / score / project with `scale` rows by SQL (queries/bench/*.sql), as one batch,
    then rebuild unit_year_rate; returns the row counts written."""
    params = {**catalogue(scale.national), "units": scale.units, "years": scale.years,
              "first_year": scale.first_year, "projects": scale.projects, "seed": seed}
    with db.transaction() as cur:
        batch_id = int(run(cur, "import/next_batch_id").fetchall()[0][0])
        run_script(cur, "bench/synth_units", **params)
        run_script(cur, "bench/synth_budget", batch_id=batch_id, **params)
        run_script(cur, "bench/synth_scores", batch_id=batch_id, **params)
        run_script(cur, "bench/synth_projects", batch_id=batch_id, **params)
        counts = dict(zip(("budget", "score", "project"), map(int, run(cur, "bench/synth_counts").fetchall()[0])))
        run(cur, "import/insert_batch", batch_id=batch_id, file_name="synthetic (perfdash bench)",
            sha256="-", kind="budget", inserted=counts["budget"], updated=0, unchanged=0,
            imported_at=dt.datetime.now().replace(microsecond=0), imported_by="perfdash bench", is_demo=False)
        run(cur, "bench/drop_synth_units")
        rates.refresh(cur, db)
        run(cur, "db/bump_data_version")
    return counts

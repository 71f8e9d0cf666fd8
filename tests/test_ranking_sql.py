"""The 排名对比 page's bounded SQL (queries/ranking/*.sql) gives exactly what the old whole-frame
computation gave: the page used to load every unit of the year (rates/unit_rates.sql) and sort,
rank, count and sample in pandas. Here the old computation runs in the test on that frame and
is compared, row by row and value by value, with the new queries — on the demo data (seed
reports + demo set), every ranking metric, both orders, with and without filters."""
from __future__ import annotations


import pandas as pd
import pytest

from perfdash import metrics
from perfdash.present import tabular
from perfdash.present.charts import ranking as ranking_charts

RANK_METRICS = [*metrics.UNIT_RATE_IDS, "self_score"]
ALL = dict(region=None, level=None, sector=None)
SCOPES = [
    ALL,
    dict(region="河南省平顶山市", level=None, sector=None),
    dict(region=None, level="县级", sector=None),
    dict(region="河南省洛阳市", level="县级", sector=None),
    dict(region=None, level=None, sector="卫生健康"),
]
COLUMNS = ["unit_key", "unit_code", "unit_name", "year", "region", "level", "sector", "budget", "actual_spend",
           "self_score", "grade", *metrics.UNIT_RATE_IDS]


def old_ranking(frame: pd.DataFrame, metric_id: str, ascending: bool) -> pd.DataFrame:
    """The page's former computation, verbatim."""
    ranked = frame.dropna(subset=[metric_id]).sort_values([metric_id, "unit_name"], ascending=[ascending, True])
    return ranked.assign(rank=ranked[metric_id].rank(ascending=False, method="min").astype("int64"))


def assert_same_rows(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert new["unit_key"].tolist() == old["unit_key"].tolist()
    assert new["rank"].tolist() == old["rank"].tolist()
    for column in COLUMNS:
        a, b = new[column].tolist(), old[column].tolist()
        assert [None if pd.isna(x) else x for x in a] == [None if pd.isna(x) else x for x in b], column


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: "|".join(str(v) for v in s.values()))
@pytest.mark.parametrize("year", [2022, 2023])
def test_counts_and_rankings_equal_the_whole_frame_computation(demo_db, scope, year):
    frame = demo_db.query("rates/unit_rates", year=year, **scope)
    counts = demo_db.query("pages/metric_counts", year=year, **scope).set_index("metric")
    if frame.empty:         # 平顶山 has figures for 2022 only: no rows, the page's empty state
        assert counts.empty and year == 2023
        return
    assert set(counts.index) == set(RANK_METRICS)
    assert set(counts["units"]) == {len(frame)}
    for metric_id in RANK_METRICS:
        assert counts.at[metric_id, "ranked"] == frame[metric_id].notna().sum(), metric_id
        for ascending in (False, True):
            old = old_ranking(frame, metric_id, ascending)
            whole = demo_db.query("ranking/rows", year=year, metric=metric_id, ascending=ascending, limit=None, **scope)
            assert_same_rows(whole, old)
            top = demo_db.query("ranking/rows", year=year, metric=metric_id, ascending=ascending, limit=5, **scope)
            assert_same_rows(top, old.head(5))
            assert len(top) == min(5, len(old))


def test_ties_share_the_best_rank_and_are_listed_by_name(demo_db):
    """self_score has ties in the demo data: tied units share the higher rank, in name order."""
    frame = demo_db.query("rates/unit_rates", year=2022, **ALL)
    tied = frame["self_score"].dropna()
    assert tied.duplicated().any()
    rows = demo_db.query("ranking/rows", year=2022, metric="self_score", ascending=False, limit=None, **ALL)
    dup = rows[rows["self_score"].duplicated(keep=False)]
    for _, group in dup.groupby("self_score"):
        assert group["rank"].nunique() == 1
        assert group["rank"].iloc[0] == 1 + (rows["self_score"] > group["self_score"].iloc[0]).sum()
        assert group["unit_name"].tolist() == sorted(group["unit_name"])
    assert_same_rows(rows, old_ranking(frame, "self_score", False))


def test_equal_names_in_two_regions_are_ordered_by_unit_key(demo_db):
    """Two 县教育局 of two regions with the same rate: the old stable sort kept them in
    (unit_name, unit_key) order; so does the SQL."""
    from perfdash import ingest

    csv = ("年度,单位名称,地区,层级,行业,年初预算数,调整后预算数,实际支出数\n"
           "2022,并列县教育局,河南省洛阳市,县级,教育,100,100,77\n"
           "2022,并列县教育局,河南省开封市,县级,教育,200,200,154\n").encode("utf-8")
    ingest.import_files(demo_db, [("ties.csv", csv)])
    frame = demo_db.query("rates/unit_rates", year=2022, **ALL)
    for ascending in (False, True):
        rows = demo_db.query("ranking/rows", year=2022, metric="execution_rate", ascending=ascending,
                             limit=None, **ALL)
        pair = rows[rows["unit_name"] == "并列县教育局"]
        assert len(pair) == 2 and pair["rank"].nunique() == 1
        assert pair["unit_key"].tolist() == sorted(pair["unit_key"])
        assert_same_rows(rows, old_ranking(frame, "execution_rate", ascending))


@pytest.mark.parametrize("scope", SCOPES[:3], ids=lambda s: "|".join(str(v) for v in s.values()))
def test_scatter_points_are_every_unit_when_they_fit(demo_db, scope):
    config = demo_db.config
    frame = demo_db.query("rates/unit_rates", year=2022, **scope)
    old, old_total = ranking_charts.scatter_points(frame, config)
    bounds = ranking_charts.warning_bounds(config.thresholds["execution_rate"])
    new = demo_db.query("ranking/scatter_points", year=2022, limit=ranking_charts.MAX_POINTS, **bounds, **scope)
    assert new["unit_key"].tolist() == old["unit_key"].tolist()        # same units, same order
    for column in ("unit_name", "level", "budget", "self_score", "execution_rate"):
        assert new[column].tolist() == old[column].tolist(), column
    assert set(new["with_both"]) == {old_total}
    severity = ranking_charts.severity_of(old["execution_rate"], config.thresholds["execution_rate"])
    assert set(new["warned"]) == {int(pd.notna(severity).sum())}
    # the chart drawn from the SQL points is the chart drawn from the whole frame
    a = ranking_charts.rate_vs_score(new, config).to_plotly_json()["data"]
    b = ranking_charts.rate_vs_score(frame, config).to_plotly_json()["data"]
    assert [(t["name"], list(t["x"]), list(t["y"]), [list(map(str, c)) for c in t["customdata"]]) for t in a] == \
        [(t["name"], list(t["x"]), list(t["y"]), [list(map(str, c)) for c in t["customdata"]]) for t in b]


def test_scatter_points_past_the_limit_keep_the_warned_then_a_fixed_hash_sample(demo_db, by_sample_key):
    config = demo_db.config
    threshold = config.thresholds["execution_rate"]
    frame = demo_db.query("rates/unit_rates", year=2022, **ALL)
    both = frame.dropna(subset=["execution_rate", "self_score"])
    warned = both[pd.notna(threshold.severities(both["execution_rate"]))]
    limit = len(warned) + 10
    assert 0 < len(warned) and limit < len(both)
    bounds = ranking_charts.warning_bounds(threshold)
    new = demo_db.query("ranking/scatter_points", year=2022, limit=limit, **bounds, **ALL)
    assert len(new) == limit
    assert set(new["with_both"]) == {len(both)} and set(new["warned"]) == {len(warned)}
    head = new.head(len(warned))
    assert head["unit_key"].tolist() == warned.sort_values(["execution_rate", "unit_name", "unit_key"])["unit_key"].tolist()
    rest = both[~both["unit_key"].isin(warned["unit_key"])]
    assert new["unit_key"].iloc[len(warned):].tolist() == by_sample_key(rest["unit_key"])[:10]
    again = demo_db.query("ranking/scatter_points", year=2022, limit=limit, **bounds, **ALL)
    assert again["unit_key"].tolist() == new["unit_key"].tolist()
    # more warned units than bubbles: only the lowest rates
    few = demo_db.query("ranking/scatter_points", year=2022, limit=3, **bounds, **ALL)
    assert few["unit_key"].tolist() == warned.sort_values(["execution_rate", "unit_name"])["unit_key"].head(3).tolist()
    # no threshold: nothing is warned, the whole bound is the sample
    none = demo_db.query("ranking/scatter_points", year=2022, limit=limit,
                         **ranking_charts.warning_bounds(None), **ALL)
    assert set(none["warned"]) == {0}
    assert none["unit_key"].tolist() == by_sample_key(both["unit_key"])[:limit]


def test_compared_units_are_the_picked_ones_in_scope(demo_db):
    frame = demo_db.query("rates/unit_rates", year=2022, **ALL)
    inside = frame[frame["region"] == "河南省洛阳市"]["unit_key"].tolist()[:2]
    outside = frame[frame["region"] != "河南省洛阳市"]["unit_key"].tolist()[:2]
    assert len(inside) == 2 and len(outside) == 2
    scope = dict(region="河南省洛阳市", level=None, sector=None)
    found = demo_db.query("ranking/units", year=2022, unit_keys=inside + outside + ["code:nope"], **scope)
    assert sorted(found["unit_key"]) == sorted(inside)
    old = frame.set_index("unit_key").loc[inside].reset_index()
    new = found.set_index("unit_key").loc[inside].reset_index()
    pd.testing.assert_frame_equal(new[COLUMNS], old[COLUMNS], check_dtype=False)
    # the default pair: the highest and the lowest execution rate
    ordered = frame.dropna(subset=["execution_rate"]).sort_values("execution_rate")
    high = demo_db.query("ranking/rows", year=2022, metric="execution_rate", ascending=False, limit=1, **ALL)
    low = demo_db.query("ranking/rows", year=2022, metric="execution_rate", ascending=True, limit=1, **ALL)
    assert [high["unit_key"].iloc[0], low["unit_key"].iloc[0]] == [ordered["unit_key"].iloc[-1], ordered["unit_key"].iloc[0]]


@pytest.mark.parametrize("scope", [ALL, SCOPES[1]], ids=["all", "pingdingshan"])
def test_full_ranking_download_streams_the_same_csv(demo_db, scope):
    """The CSV streamed from SQL in small batches is byte for byte the CSV the page built from the
    whole frame."""
    frame = demo_db.query("rates/unit_rates", year=2022, **scope)
    ranked = old_ranking(frame, "carryover_rate", True)

    def columns(rows: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            "名次": rows["rank"], "单位编码": rows["unit_code"], "单位名称": rows["unit_name"],
            "地区": rows["region"], "层级": rows["level"], "行业": rows["sector"],
            "预算数（万元）": rows["budget"].round(2), "实际支出数（万元）": rows["actual_spend"].round(2),
            **{f"{metrics.label(m)}（%）": (rows[m] * 100).round(2) for m in metrics.UNIT_RATE_IDS},
            "自评得分": rows["self_score"], "评价等级": rows["grade"],
        })

    old = tabular.to_csv_bytes(columns(ranked))
    new = tabular.query_csv_bytes(demo_db, "ranking/rows", columns, batch_rows=7, year=2022,
                                  metric="carryover_rate", ascending=True, limit=None, **scope)
    assert new == old
    assert new.count(b"\n") == len(ranked) + 1
    empty = tabular.query_csv_bytes(demo_db, "ranking/rows", columns, year=1990, metric="carryover_rate",
                                    ascending=True, limit=None, **scope)
    assert empty.decode("utf-8-sig").splitlines() == [",".join(columns(ranked.head(0)).columns)]


def test_ranking_page_with_filters_shows_the_old_table_and_counts(app, demo_db):
    """The page itself, filtered to 县级 and ranked by self-score from low to high (ties in the
    demo data): the table, the ranks, the units count and the download's count are the old ones."""
    frame = demo_db.query("rates/unit_rates", year=2022, region=None, level="县级", sector=None)
    old = old_ranking(frame, "self_score", True)
    at = app(query_params={"year": "2022", "level": "县级"})
    at.run()
    at.switch_page("app_pages/ranking.py").run()
    at.selectbox(key="rk_metric").set_value("self_score")
    at.radio(key="rk_order").set_value("从低到高").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table["单位名称"].tolist() == old["unit_name"].tolist()
    assert table["名次"].tolist() == old["rank"].tolist()
    assert table["自评得分"].tolist() == old["self_score"].tolist()
    assert old["self_score"].duplicated().any()
    assert any(f"{len(frame):,} 个单位" in c.value for c in at.caption)
    missing = len(frame) - len(old)
    notes = " ".join(c.value for c in at.caption)
    assert (f"{missing:,} 个单位没有自评得分" in notes) == (missing > 0)
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"下载完整排名（{len(old):,} 个单位，CSV）" in labels

"""queries/pages/peer_percentiles.sql (the 单位画像 peer standing) against an independent pandas
computation on the demo data: percentile = percent_rank (rank among the unit's level in the
year, ties at their lowest rank, over the peers with a value), peer_median = the median."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

METRICS = ["execution_rate", "adjustment_rate", "carryover_rate", "carryover_change_rate",
           "sangong_control_rate", "procurement_execution_rate", "funds_arrival_rate", "self_score"]
COLUMNS = ["metric", "value", "percentile", "peer_count", "peer_median", "level"]
ALL = dict(region=None, level=None, sector=None)


def expected_standing(units: pd.DataFrame, unit_key: str) -> pd.DataFrame:
    """Peer standing of one unit, from every unit of the year (rows of rates/unit_rates)."""
    me = units[units["unit_key"] == unit_key].iloc[0]
    peers = units[units["level"].isna()] if pd.isna(me["level"]) else units[units["level"] == me["level"]]
    rows = []
    for metric in METRICS:
        if pd.isna(me[metric]):
            continue
        values = peers[metric].dropna().astype(float)
        rank = values.rank(method="min")[peers.loc[values.index, "unit_key"] == unit_key].iloc[0]
        n = len(values)
        rows.append(dict(metric=metric, value=float(me[metric]),
                         percentile=(rank - 1) / (n - 1) if n > 1 else 0.0,
                         peer_count=n, peer_median=float(np.median(values)), level=me["level"]))
    return pd.DataFrame(rows, columns=COLUMNS)


def check(db, year: int, unit_keys) -> int:
    units = db.query("rates/unit_rates", year=year, **ALL)
    compared = 0
    for key in unit_keys:
        got = db.query("pages/peer_percentiles", unit_key=key, year=year)
        want = expected_standing(units, key)
        assert list(got.columns) == COLUMNS
        assert got["metric"].tolist() == want["metric"].tolist(), key
        for column in ("value", "percentile", "peer_median"):
            assert got[column].tolist() == pytest.approx(want[column].tolist(), rel=1e-12, abs=1e-15), (key, column)
        assert got["peer_count"].astype(int).tolist() == want["peer_count"].tolist(), key
        assert [None if pd.isna(v) else v for v in got["level"]] == \
            [None if pd.isna(v) else v for v in want["level"]], key
        compared += len(got)
    return compared


@pytest.mark.parametrize("year", [2019, 2022])
def test_every_unit_of_a_year_matches_pandas(demo_db, year):
    units = demo_db.query("rates/unit_rates", year=year, **ALL)
    assert check(demo_db, year, units["unit_key"]) > 6 * len(units)


def test_ties_share_the_lowest_rank(demo_db):
    """Several 县级 units of 2019 reported the same self-score (89): none of them counts the
    others as lower, so they share one percentile."""
    units = demo_db.query("rates/unit_rates", year=2019, **ALL)
    county = units[units["level"] == "县级"]
    tied = county[county["self_score"] == 89.0]["unit_key"].tolist()
    assert len(tied) >= 2
    lower = int((county["self_score"].dropna() < 89.0).sum())
    peers = int(county["self_score"].notna().sum())
    for key in tied:
        got = demo_db.query("pages/peer_percentiles", unit_key=key, year=2019).set_index("metric")
        assert got.loc["self_score", "percentile"] == pytest.approx(lower / (peers - 1))


def test_the_known_unit(demo_db):
    """郑州市政务服务办公室 (the seed report) in 2022: execution 87.56 % among the 市级 units."""
    units = demo_db.query("rates/unit_rates", year=2022, **ALL)
    key = units.loc[units["unit_name"] == "郑州市政务服务办公室", "unit_key"].item()
    got = demo_db.query("pages/peer_percentiles", unit_key=key, year=2022).set_index("metric")
    assert got.loc["execution_rate", "value"] == pytest.approx(2699.18 / 3082.64)
    assert got.loc["execution_rate", "level"] == "市级"
    assert check(demo_db, 2022, [key]) == len(got)


def test_a_unit_alone_at_its_level_is_at_percentile_zero(demo_db, tmp_path):
    from perfdash import ingest

    csv = tmp_path / "alone.csv"
    csv.write_text("年度,单位名称,地区,层级,调整后预算数,实际支出数\n"
                   "2001,独立测试单位,河南省洛阳市,县级,100,80\n"
                   "2001,无层级测试单位,河南省洛阳市,,200,150\n", encoding="utf-8")
    ingest.import_files(demo_db, ingest.read_files([csv]), imported_by="test")
    units = demo_db.query("rates/unit_rates", year=2001, **ALL)
    assert len(units) == 2
    for key in units["unit_key"]:
        got = demo_db.query("pages/peer_percentiles", unit_key=key, year=2001).set_index("metric")
        assert got.loc["execution_rate", "percentile"] == 0.0
        assert int(got.loc["execution_rate", "peer_count"]) == 1
        assert got.loc["execution_rate", "peer_median"] == got.loc["execution_rate", "value"]
    assert check(demo_db, 2001, units["unit_key"]) >= 2


def test_an_unknown_unit_has_no_rows(demo_db):
    assert demo_db.query("pages/peer_percentiles", unit_key="name:不存在的单位", year=2022).empty

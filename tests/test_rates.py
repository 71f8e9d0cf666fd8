"""Budget-weighted rates come from group_year_total, pre-added per year × region × level × sector;
they must equal the same Σ / Σ taken over the units themselves."""
from __future__ import annotations

import pandas as pd
import pytest

from perfdash.derive import rates

ALL = {"region": None, "level": None, "sector": None}


def _by_units(db, year: int, group_by: str, scope: dict) -> pd.DataFrame:
    units = db.query("rates/unit_rates", year=year, **scope)
    units["group_value"] = "全部" if group_by == "all" else units[group_by]
    rows = []
    for value, g in units.groupby("group_value", dropna=False):
        has_rate = g["execution_rate"].notna()
        rows.append({
            "group_value": value,
            "unit_count": len(g),
            "budget": g["budget"].sum(min_count=1),
            "actual_spend": g["actual_spend"].sum(min_count=1),
            "avg_self_score": g["self_score"].mean(),
            # the default 口径: Σ actual spend / Σ budget over units that have an execution rate
            "execution_rate": g.loc[has_rate, "actual_spend"].sum() / g.loc[has_rate, "budget"].sum(),
        })
    return pd.DataFrame(rows).sort_values("group_value", na_position="last").reset_index(drop=True)


@pytest.mark.parametrize("group_by", ["all", "region", "level", "sector"])
@pytest.mark.parametrize("scope", [ALL, {**ALL, "level": "县级"}, {**ALL, "region": "河南省开封市", "sector": "教育"}])
def test_weighted_rates_equal_the_sums_over_units(demo_db, group_by, scope):
    for year in (2018, 2022):
        ours = demo_db.query("rates/weighted_by_group", group_by=group_by, year_from=year, year_to=year, **scope)
        ours = ours.sort_values("group_value", na_position="last").reset_index(drop=True)
        expected = _by_units(demo_db, year, group_by, scope)
        assert len(ours) == len(expected) > 0
        assert list(ours["group_value"]) == list(expected["group_value"])
        assert list(ours["unit_count"]) == list(expected["unit_count"])
        for column in ("budget", "actual_spend", "avg_self_score", "execution_rate"):
            assert ours[column].tolist() == pytest.approx(expected[column].tolist(), rel=1e-12), column


def test_zhengzhou_2022_weighted_alone_is_its_own_rate(demo_db):
    """A group of one unit: 2699.18 / 3082.64 = 87.56 % (the report's own figures)."""
    units = demo_db.query("rates/unit_rates", year=2022, **ALL)
    zz = units[units["unit_name"] == "郑州市政务服务办公室"].iloc[0]
    peers = units[(units["region"] == zz["region"]) & (units["level"] == zz["level"])
                  & (units["sector"] == zz["sector"])]
    assert len(peers) == 1
    row = demo_db.query("rates/weighted_by_group", group_by="all", year_from=2022, year_to=2022,
                        region=zz["region"], level=zz["level"], sector=zz["sector"]).iloc[0]
    assert row["unit_count"] == 1
    assert round(row["execution_rate"] * 100, 2) == 87.56
    assert row["execution_rate"] == pytest.approx(2699.18 / 3082.64, rel=1e-12)


def test_a_database_built_before_group_year_total_is_rebuilt_on_open(demo_db_path):
    from perfdash.derive import open_current

    db = open_current(demo_db_path)
    with db.transaction() as cur:
        cur.execute("DROP TABLE group_year_total")
        cur.execute("UPDATE meta SET value = ? WHERE key = ?", [db.config.fingerprint(), rates.CONFIG_KEY])
    db.close()
    db = open_current(demo_db_path)          # as after an upgrade: the stamp is from an older version
    totals = db.query("rates/weighted_by_group", group_by="all", year_from=2022, year_to=2022, **ALL)
    assert int(totals["unit_count"].iloc[0]) == len(db.query("rates/unit_rates", year=2022, **ALL))
    db.close()


def _heatmap_by_units(db, metric: str, ascending: bool, limit: int, scope: dict) -> pd.DataFrame:
    years = sorted(db.query("filters/options").query("dimension == 'year'")["value"].astype(int))
    rows = pd.concat([db.query("rates/unit_rates", year=y, **scope) for y in years], ignore_index=True)
    rows = rows.sort_values("year")
    name = rows.groupby("unit_key")["unit_name"].last()
    rated = rows.dropna(subset=[metric])
    latest = rated.groupby("unit_key").agg(latest_value=(metric, "last"), latest_year=("year", "last"))
    latest = latest.join(name).reset_index()
    latest["order"] = latest["latest_value"] if ascending else -latest["latest_value"]
    worst = latest.sort_values(["order", "unit_name", "unit_key"]).head(limit)
    return worst.reset_index(drop=True)


@pytest.mark.parametrize("metric,ascending", [("execution_rate", True), ("carryover_rate", False),
                                              ("sangong_control_rate", False)])
def test_heatmap_ranks_units_by_their_latest_rate_within_the_filters(demo_db, metric, ascending):
    """A unit that moved region is ranked, in a region's heatmap, by its latest year in that
    region — what the filter over every unit-year gives (unit_scope_latest must agree)."""
    from perfdash.derive import rates as rates_module

    units = demo_db.query("rates/unit_rates", year=2024, **ALL)
    mover = units[units["region"] == "河南省开封市"].iloc[0]
    with demo_db.transaction() as cur:
        cur.execute("UPDATE budget SET region = '河南省洛阳市' WHERE unit_key = ? AND year = 2024",
                    [mover["unit_key"]])
        rates_module.refresh(cur, demo_db)
    for scope in (ALL, {**ALL, "region": "河南省开封市"}, {**ALL, "region": "河南省洛阳市"},
                  {**ALL, "level": "县级"}):
        grid = demo_db.query("pages/heatmap_units", metric=metric, ascending=ascending, limit=12, **scope)
        expected = _heatmap_by_units(demo_db, metric, ascending, 12, scope)
        shown = grid.drop_duplicates("unit_key")
        assert list(shown["unit_key"]) == list(expected["unit_key"]), scope
        assert list(shown["unit_name"]) == list(expected["unit_name"])
        assert shown["latest_value"].tolist() == pytest.approx(expected["latest_value"].tolist())
        assert list(shown["latest_year"]) == list(expected["latest_year"])
    in_kaifeng = demo_db.query("pages/heatmap_units", metric="execution_rate", ascending=True, limit=500,
                               **{**ALL, "region": "河南省开封市"})
    mine = in_kaifeng[in_kaifeng["unit_key"] == mover["unit_key"]]
    assert len(mine) and mine["latest_year"].iloc[0] == 2023 and 2024 not in set(mine["year"])


def _as_made_by_an_older_version(path) -> None:
    """Schema 1, no derived tables beyond unit_year_rate, the old rates stamp."""
    from perfdash.derive import open_current

    db = open_current(path)
    with db.transaction() as cur:
        for table in ("unit_flag", "group_year_total", "unit_scope_latest", "unit_year_metric"):
            cur.execute(f"DROP TABLE {table}")
        cur.execute("DROP VIEW project_rate")
        for table in ("stated_rate", "stated_rate_replaced", "figure_source", "figure_source_replaced",
                      "rate_reconciliation"):
            cur.execute(f"DROP TABLE {table}")
        for table, columns in (("budget", ("evaluation_score", "evaluation_grade")), ("score", ("score_of",))):
            for suffix in ("", "_replaced"):
                for column in columns:
                    cur.execute(f"ALTER TABLE {table}{suffix} DROP COLUMN {column}")
        cur.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        cur.execute("UPDATE meta SET value = ? WHERE key = ?", [db.config.fingerprint(), rates.CONFIG_KEY])
        cur.execute("DELETE FROM meta WHERE key = 'flags_config'")
    db.close()


def test_a_read_only_open_of_an_older_database_upgrades_it_first(demo_db_path, tmp_path):
    from perfdash.derive import outliers
    from perfdash.cli import main as cli_main
    from perfdash.derive import open_current

    _as_made_by_an_older_version(demo_db_path)
    db = open_current(demo_db_path, read_only=True)
    assert db.read_only
    totals = db.query("rates/weighted_by_group", group_by="all", year_from=2022, year_to=2022, **ALL)
    assert int(totals["unit_count"].iloc[0]) == len(db.query("rates/unit_rates", year=2022, **ALL))
    assert db.scalar("db/get_meta", key=outliers.FLAGS_KEY) == db.config.flags_fingerprint()
    assert len(outliers.flags_for_year(db, 2022)) > 0
    db.close()

    _as_made_by_an_older_version(demo_db_path)
    assert cli_main(["export", "--db", str(demo_db_path), "--year", "2022", "--out", str(tmp_path / "pack")]) == 0
    assert (tmp_path / "pack").is_dir() and any((tmp_path / "pack").glob("*.pptx"))


def test_metric_spread_statements_hold_a_small_year_whole_and_a_large_one_metric_by_metric():
    parts = [("a", 2024, 10), ("a", 2025, 200_000), ("b", 2024, 10), ("b", 2025, 200_000), ("c", 2024, 0)]
    assert rates._spread_parts(parts) == [(["a", "b", "c"], 2024), (["a"], 2025), (["b"], 2025)]
    assert rates._spread_parts([]) == []

"""The 排名对比 and 异常预警 pages past their bounds (AppTest on 4,000 synthetic units, where the
demo data's 90 units never reach them): the ranking table shows the first 300 of the old
ranking and says so, the scatter draws 1,500 bubbles and says how they were chosen, the flag
list is paged 500 at a time and says which rows are shown — a bounded list is never presented
as complete."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from perfdash import synth
from perfdash.config import PROJECT_ROOT as ROOT
from perfdash.derive import open_current, outliers
from perfdash.present.charts import ranking as ranking_charts

from test_ranking_sql import old_ranking

YEAR = 2025
ALL = dict(region=None, level=None, sector=None)


@pytest.fixture(scope="module")
def synth_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "synth.duckdb"
    db = open_current(path)
    synth.generate_in_database(db, synth.Scale(units=4000, years=1, projects=1))
    db.close()
    return path


@pytest.fixture
def synth_app(synth_template, tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "synth.duckdb"
    shutil.copy(synth_template, path)
    monkeypatch.setenv("PERFDASH_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()

    def make(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.query_params["year"] = str(YEAR)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield make, path
    st.cache_data.clear()
    st.cache_resource.clear()


def test_ranking_past_its_bounds_shows_the_first_rows_and_says_so(synth_app):
    make, path = synth_app
    db = open_current(path, read_only=True)
    frame = db.query("rates/unit_rates", year=YEAR, **ALL)
    config = db.config
    db.close()
    old = old_ranking(frame, "execution_rate", False)
    assert len(old) > 300
    at = make("app_pages/ranking.py")
    table = at.dataframe[0].value
    assert table["单位名称"].tolist() == old["unit_name"].head(300).tolist()
    assert table["名次"].tolist() == old["rank"].head(300).tolist()
    notes = " ".join(c.value for c in at.caption)
    assert f"共 {len(old):,} 个单位，表中只列出从高到低的前 300 个，完整排名可下载。" in notes
    assert f"下载完整排名（{len(old):,} 个单位，CSV）" in [b.proto.label for b in at.get("download_button")]
    # the scatter: 1,500 bubbles — every unit under the warning line, then the fixed sample
    both = frame.dropna(subset=["execution_rate", "self_score"])
    warned = both[pd.notna(config.thresholds["execution_rate"].severities(both["execution_rate"]))]
    assert len(both) > ranking_charts.MAX_POINTS > len(warned) > 0
    assert (f"共 {len(both):,} 个单位，图中画出触及预算执行率预警线的全部 {len(warned):,} 个单位和其余单位的固定抽样，"
            f"共 {ranking_charts.MAX_POINTS:,} 个。") in notes
    import json
    scatter = [json.loads(c.proto.spec) for c in at.get("plotly_chart")][0]
    keys = {c[0] for t in scatter["data"] if t.get("customdata") for c in t["customdata"]}
    assert len(keys) == ranking_charts.MAX_POINTS and set(warned["unit_key"]) <= keys


def test_flag_list_past_a_page_is_paged_and_says_which_rows(synth_app):
    make, path = synth_app
    db = open_current(path, read_only=True)
    flags = outliers.flags_for_year(db, YEAR)
    db.close()
    assert len(flags) > 500
    at = make("app_pages/outliers.py")
    table = at.dataframe[0].value
    assert table["说明"].tolist() == flags["reason"].head(500).tolist()
    pages = -(-len(flags) // 500)
    text = " ".join(m.value for m in at.markdown)
    assert f"**{len(flags):,} 条提示**，涉及 {flags['unit_key'].nunique():,} 个单位。表中为第 1–500 条" in text
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"下载 CSV（{len(flags):,} 条）" in labels
    at.number_input(key="ol_page").set_value(pages).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["说明"].tolist() == flags["reason"].iloc[(pages - 1) * 500:].tolist()
    text = " ".join(m.value for m in at.markdown)
    assert f"表中为第 {(pages - 1) * 500 + 1:,}–{len(flags):,} 条" in text
    # fewer flags after a filter: the page number comes back within range
    at.pills(key="ol_severities").set_value(["严重"]).run()
    assert not at.exception
    high = flags[flags["severity"] == "high"]
    assert at.dataframe[0].value["说明"].tolist() == high["reason"].head(500).tolist()

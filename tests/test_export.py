"""The meeting pack (perfdash.present.export, present/charts/pack.py, the 会议导出 page) on the demo data, and the
PNG download names of every chart in the app.

The pack is exported once per module (one headless Chromium for all its charts) *after*
`import streamlit`, so Plotly's default template is Streamlit's placeholder one: the PNGs prove
the figures carry their own template (no black bars) and the CJK font (no boxes, no Japanese
glyph forms). Figures are compared with SQL results and with the seed report's figures.
"""
from __future__ import annotations

import io
import json
import math
import re
import shutil
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2022  # demo year with planted problems; also the year of the 郑州 and 平顶山 seed reports
CJK = re.compile(r"[\u4e00-\u9fff]")
SC_FONT = "Noto Sans CJK SC"


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack_db(demo_db_template, tmp_path_factory):
    from perfdash.derive import open_current

    path = tmp_path_factory.mktemp("pack_db") / "demo.duckdb"
    shutil.copy(demo_db_template, path)
    db = open_current(path)
    yield db
    db.close()


@pytest.fixture(scope="module")
def exported(pack_db, tmp_path_factory):
    """The full pack for YEAR, exported with Streamlit imported (the template trap armed)."""
    import plotly.io as pio
    import streamlit  # noqa: F401

    assert pio.templates.default == "streamlit", "the trap this module guards against is not armed"
    from perfdash.present import export

    out = tmp_path_factory.mktemp("pack_out")
    started = time.perf_counter()
    paths = export.export_pack(pack_db, year=YEAR, out_dir=out)
    print(f"\n[bench] meeting pack {YEAR}: {len(paths)} files in {time.perf_counter() - started:.1f} s "
          "(6 PNGs at 3000×1688 from one browser, PPTX, CSV)")
    return paths


@pytest.fixture(scope="module")
def pack(pack_db):
    from perfdash.present import export

    return export.build_pack(pack_db, year=YEAR)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    head = Path(path).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def pixels(path: Path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def share_near(img: np.ndarray, hex_color: str, tolerance: int = 18) -> float:
    rgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(img - rgb).max(axis=2) <= tolerance).mean())


def values(array) -> list:
    """Trace data as a list; Plotly may hold numeric arrays as base64 typed arrays."""
    import base64

    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def near_black_share(img: np.ndarray) -> float:
    return float((img.max(axis=2) < 40).mean())


# -- the files --------------------------------------------------------------------------------


def test_pack_holds_six_chart_pngs_a_deck_and_the_warning_list(exported):
    names = [p.name for p in exported]
    assert names == [
        f"01_{YEAR}年_各单位预算执行率.png", f"02_{YEAR}年_预算执行率变化趋势.png",
        f"03_{YEAR}年_评价等级分布.png", f"04_{YEAR}年_预警类型分布.png",
        f"05_{YEAR}年_执行率最低的项目.png", f"06_{YEAR}年_一级指标得分率.png",
        f"{YEAR}年_部门整体支出绩效_会议材料.pptx", f"{YEAR}年_预警清单.csv",
    ]
    assert all(p.is_file() and p.stat().st_size > 10_000 for p in exported[:7])


def test_pngs_are_3000_by_1688(exported):
    for path in exported[:6]:
        width, height = png_size(path)
        assert width >= 1600 and (width, height) == (3000, 1688), path.name
        assert abs(width / height - 16 / 9) < 0.002


def test_pngs_use_the_project_colours_not_black_placeholders(exported):
    from perfdash.present import style

    by_name = {p.name[:2]: pixels(p) for p in exported[:6]}
    for key, img in by_name.items():
        assert near_black_share(img) < 0.003, f"chart {key}: {near_black_share(img):.2%} near-black pixels"
    # execution by unit: normal units in PRIMARY, the planted 58 % unit and the 124 % unit in red,
    # the 86–90 % units in orange
    units = by_name["01"]
    assert share_near(units, style.PRIMARY) > 0.02
    assert share_near(units, style.SEVERITY_COLORS["high"]) > 0.002
    assert share_near(units, style.SEVERITY_COLORS["medium"]) > 0.005
    grades = by_name["03"]
    assert share_near(grades, style.GRADE_COLORS["优"]) > 0.05
    assert share_near(grades, style.GRADE_COLORS["良"]) > 0.03
    assert share_near(by_name["04"], style.SEVERITY_COLORS["high"]) > 0.01
    assert share_near(by_name["06"], style.PRIMARY) > 0.05


def test_the_black_bar_check_can_fail(tmp_path):
    """Control: a figure without the project template, exported after `import streamlit`, has
    black bars — which the near-black check above catches."""
    import plotly.graph_objects as go
    import streamlit  # noqa: F401

    from perfdash.present import export

    fig = go.Figure(go.Bar(x=["甲", "乙"], y=[3, 4]))
    export.render_pngs([fig], [tmp_path / "control.png"], scale=1)
    assert near_black_share(pixels(tmp_path / "control.png")) > 0.2


def test_every_png_has_a_drawn_title_and_source_line(exported):
    for path in exported[:6]:
        img = pixels(path)
        title = img[30:110, 40:1400]       # the bold title, top left
        footer = img[1560:1660, 2100:2900]  # the source line, bottom right
        for name, region in (("title", title), ("source line", footer)):
            gray = region.mean(axis=2)
            assert gray.std() > 20 and (gray < 160).mean() > 0.01, f"{path.name}: {name} region is blank"


# -- Chinese text -------------------------------------------------------------------------------


def test_fontconfig_resolves_simplified_chinese_to_noto_sans_cjk_sc():
    out = subprocess.run(["fc-match", "-f", "%{file}|%{family}", f"{SC_FONT}:lang=zh-cn"],
                         capture_output=True, text=True, check=True).stdout
    file, family = out.split("|", 1)
    assert re.search(r"NotoSansCJK-\w+\.ttc$", file), file
    assert SC_FONT in family.split(","), family
    assert Path(file).is_file()


def test_every_pack_figure_asks_for_the_sc_font_first(pack):
    for chart in pack.charts:
        layout = chart.figure.layout
        family = layout.font.family or layout.template.layout.font.family
        assert family.split(",")[0].strip() == SC_FONT, chart.id
        for annotation in layout.annotations:
            assert annotation.font.family in (None, family), chart.id


def test_chinese_is_drawn_in_simplified_forms(tmp_path):
    """关直骨说画边递 look different in the SC and JP cuts of Noto Sans CJK. A title drawn with the
    project style must be pixel-identical to the SC rendering and differ from the JP one (so a
    fallback to the Japanese font would fail here)."""
    from perfdash.present import export, style

    text = "预算执行率 关直骨说画边递"
    figs = []
    for family in (None, SC_FONT, "Noto Sans CJK JP"):
        fig = style.new_figure(title=text, width=700, height=160, margin=dict(t=60, b=20, l=20, r=20))
        if family:
            fig.update_layout(font_family=family)
        figs.append(fig)
    paths = [tmp_path / f"font{i}.png" for i in range(3)]
    export.render_pngs(figs, paths, scale=2)
    ours, sc, jp = (pixels(p)[:110] for p in paths)
    gray = ours.mean(axis=2)
    assert gray.std() > 20 and (gray < 128).mean() > 0.01, "the title region is blank"
    assert np.abs(ours - sc).mean() < 0.05
    assert np.abs(sc - jp).mean() > 0.3


# -- the deck -----------------------------------------------------------------------------------


def _deck(exported):
    from pptx import Presentation

    return Presentation(str(exported[6]))


def test_deck_is_16_9_with_a_title_slide_one_chart_a_slide_and_the_warnings(exported, pack):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = _deck(exported)
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.001
    warnings = len(pack.warnings)
    warning_slides = max(1, math.ceil(min(warnings, 30) / 10))
    slides = list(deck.slides)
    assert len(slides) == 1 + 6 + warning_slides

    title_text = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert f"{YEAR}年度部门整体支出绩效分析" in title_text and "财政局" in title_text and "全部单位" in title_text

    for slide, chart, png in zip(slides[1:7], pack.charts, exported[:6]):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.blob == png.read_bytes()
        assert abs(pictures[0].width / pictures[0].height - 16 / 9) < 0.01
        assert slide.shapes.title.text_frame.text == chart.takeaway
        assert CJK.search(chart.takeaway)
        assert pictures[0].top + pictures[0].height <= deck.slide_height


def test_every_run_in_the_deck_sets_latin_and_east_asian_font(exported):
    from pptx.oxml.ns import qn

    deck = _deck(exported)
    runs = 0
    for slide in deck.slides:
        for r in slide.element.iter(qn("a:r")):
            rpr = r.find(qn("a:rPr"))
            assert rpr is not None
            assert rpr.find(qn("a:latin")).get("typeface") == SC_FONT
            assert rpr.find(qn("a:ea")).get("typeface") == SC_FONT
            children = [c.tag for c in rpr]
            assert children.index(qn("a:latin")) < children.index(qn("a:ea"))  # schema order
            runs += 1
    assert runs > 60


def test_warning_slide_lists_high_severity_first(exported, pack):
    deck = _deck(exported)
    slide = list(deck.slides)[7]
    assert "预警清单" in slide.shapes.title.text_frame.text
    table = next(s for s in slide.shapes if s.has_table).table
    rows = [[table.cell(r, c).text_frame.text for c in range(5)] for r in range(1, len(table.rows))]
    assert len(rows) == min(10, len(pack.warnings))
    severities = [row[3] for row in rows]
    assert severities == sorted(severities, key=lambda s: {"严重": 0, "关注": 1}[s])
    assert severities[0] == "严重"
    assert rows[0][0] == pack.warnings.iloc[0]["unit_name"]
    assert "开封市民政局" in {row[0] for row in rows}  # the planted 58 % unit


def test_warning_csv_has_every_flag(exported, pack):
    frame = pd.read_csv(exported[7], encoding="utf-8-sig", dtype=str)
    assert len(frame) == len(pack.warnings)
    assert list(frame.columns[:3]) == ["程度", "类型", "年度"]


# -- the numbers ------------------------------------------------------------------------------


def test_unit_chart_and_takeaway_match_sql(pack_db, pack):
    frame = pack_db.query("rates/unit_rates", year=YEAR, region=None, level=None, sector=None)
    rated = frame.dropna(subset=["execution_rate"]).sort_values(["execution_rate", "unit_name", "unit_key"])
    lowest = rated.head(5)
    chart = pack.charts[0]
    expected = "、".join(f"{n}（{r * 100:.2f}%）" for n, r in zip(lowest["unit_name"], lowest["execution_rate"]))
    assert chart.takeaway.startswith(f"执行率最低的 5 个单位：{expected}")
    assert chart.takeaway.startswith("执行率最低的 5 个单位：开封市民政局（58.00%）")
    below = int((frame["execution_rate"] < 0.9).sum())
    assert f"低于 90% 的单位 {below} 个" in chart.takeaway
    # the seed report: 郑州 2022 execution 2699.18 / 3082.64 = 87.56 %, shown among the lowest
    bars = dict(zip(values(chart.figure.data[0].y), values(chart.figure.data[0].x)))
    assert bars["郑州市政务服务办公室"] == pytest.approx(2699.18 / 3082.64)
    assert "87.56%" in chart.takeaway


def test_unit_chart_shows_both_ends_of_every_unit_and_says_how_many(pack_db, pack):
    """The 10 lowest and the 10 highest of all units with a rate, lowest on top, and the title
    counts every unit — although only those 20 rows leave DuckDB."""
    frame = pack_db.query("rates/unit_rates", year=YEAR, region=None, level=None, sector=None)
    rated = frame.dropna(subset=["execution_rate"]).sort_values(["execution_rate", "unit_name", "unit_key"])
    assert len(rated) > 20
    ends = pd.concat([rated.head(10), rated.tail(10)])
    bar = pack.charts[0].figure.data[0]
    assert values(bar.x) == pytest.approx(ends["execution_rate"].tolist())
    assert [key for (key,) in bar.customdata] == ends["unit_key"].tolist()
    assert len(set(values(bar.y))) == 20
    assert pack.charts[0].title == f"{YEAR}年各单位预算执行率（共 {len(rated):,} 个单位，显示最低和最高各 10 个）"
    assert pack.unit_count == len(frame)


def test_pack_draws_from_bounded_query_results(pack_db, monkeypatch):
    """Every chart comes from aggregates or top/bottom-N rows: no query of the pack returns more
    rows than a chart shows, and neither every unit nor every project is ever fetched."""
    from perfdash.present import export

    flags = export.flags_for_year(pack_db, YEAR, region=None, level=None, sector=None)
    monkeypatch.setattr(export, "flags_for_year", lambda db, year, **scope: flags)
    calls: list[tuple[str, int]] = []
    query = pack_db.query

    def recording(name, **params):
        result = query(name, **params)
        calls.append((name, len(result)))
        return result

    monkeypatch.setattr(pack_db, "query", recording)
    built = export.build_pack(pack_db, year=YEAR)
    assert len(built.charts) == 6
    names = {name for name, _ in calls}
    assert {"export/execution_ends", "export/execution_counts", "pages/worst_projects",
            "export/project_low_counts", "outliers/flag_type_counts"} <= names
    # the counts come from the derived table project_low, not a scan of the year's projects; the
    # lowest projects too when project_low holds 12 (the demo year has one: the bounded scan)
    assert not names & {"rates/unit_rates", "rates/project_rates", "export/project_counts", "outliers/flags"}
    units = len(query("rates/unit_rates", year=YEAR, region=None, level=None, sector=None))
    biggest = max(rows for _, rows in calls)
    assert biggest <= 40 < units, calls


def test_trend_takeaway_is_the_budget_weighted_rate_and_its_change(pack_db, pack):
    def weighted(year):
        f = pack_db.query("rates/unit_rates", year=year, region=None, level=None, sector=None)
        f = f.dropna(subset=["execution_rate"])
        return f["actual_spend"].sum() / f["budget"].sum()  # Σ实际支出 ÷ Σ调整后预算（或年初预算）

    now, before = weighted(YEAR), weighted(YEAR - 1)
    takeaway = pack.charts[1].takeaway
    assert f"加权预算执行率 {now * 100:.2f}%" in takeaway
    assert f"较上年 {(now - before) * 100:+.2f} 个百分点" in takeaway
    years = values(pack.charts[1].figure.data[0].x)
    assert years[-1] == YEAR and len(years) == 5  # demo data starts in 2018


def test_grade_and_score_takeaways_match_sql(pack_db, pack):
    grades = pack_db.query("export/grade_mix", year_from=YEAR, year_to=YEAR, region=None, level=None, sector=None)
    counts = dict(zip(grades["grade"], grades["unit_count"]))
    total = sum(counts.values())
    assert f"{YEAR}年 {total} 个单位中 优 {counts['优']} 个、良 {counts['良']} 个" in pack.charts[2].takeaway
    assert f"“优”占 {counts['优'] / total * 100:.2f}%" in pack.charts[2].takeaway

    scores = pack_db.query("export/score_by_dimension", year=YEAR, region=None, level=None, sector=None)
    low = scores.sort_values("score_rate").iloc[0]
    assert f"得分率最低的一级指标是“{low['dimension']}”（{low['score_rate'] * 100:.2f}%）" in pack.charts[5].takeaway


def test_score_rate_is_points_weighted_across_frameworks(pack_db):
    """产出 is worth 25 points in the Henan framework and 30 in the Gansu one: the rate is Σ得分 ÷ Σ分值."""
    scores = pack_db.query("export/score_by_dimension", year=YEAR, region=None, level=None, sector=None)
    output = scores[scores["dimension"] == "产出"].iloc[0]
    assert (output["min_max_score"], output["max_max_score"]) == (25, 30)
    assert output["score_rate"] == pytest.approx(output["score_sum"] / output["max_sum"])


def test_lowest_projects_takeaway_names_the_planted_zero_spend_project(pack):
    takeaway = pack.charts[4].takeaway
    assert takeaway.startswith("执行率最低的项目：张掖市甘州区卫生健康委员会「基层医疗卫生机构能力提升项目」0.00%")


# The 项目执行 page's order of the lowest projects: zero-spend first, a larger budget first.
PROJECT_ORDER = dict(by=["project_execution_rate", "budget", "unit_name", "project_name"],
                     ascending=[True, False, True, True])


def test_lowest_projects_chart_and_counts_match_every_project(pack_db, pack):
    """The 12 bars and the counts in the takeaway equal what all projects of the year give."""
    projects = pack_db.query("rates/project_rates", year=YEAR, region=None, level=None, sector=None)
    rated = projects.dropna(subset=["project_execution_rate"]).sort_values(**PROJECT_ORDER)
    below = int((rated["project_execution_rate"] < 0.5).sum())
    zero = int((rated["project_execution_rate"] <= 0).sum())
    assert len(rated) > 12 and below > 0 and zero > 0
    chart = pack.charts[4]
    assert f"执行率低于 50% 的项目 {below} 个，其中 {zero} 个全年未支出。" in chart.takeaway
    bar = chart.figure.data[0]
    assert values(bar.x) == pytest.approx(rated["project_execution_rate"].head(12).tolist())
    labels = [label.split("<br>")[0] for label in values(bar.y)]
    assert labels == rated["project_name"].head(12).tolist()


def test_pack_lists_the_lowest_projects_as_the_projects_page_does(demo_db, tmp_path):
    """Zero-spend ties planted (more than the chart shows, so project_low answers): the pack's bars
    and takeaway are the 项目执行 page's rows (projects.worst), its counts what a scan of every
    project of the year counts (export/project_counts)."""
    from perfdash import ingest
    from perfdash.derive import projects
    from perfdash.present import export

    unit = "张掖市甘州区卫生健康委员会"
    rows = [f"{YEAR},,{unit},零支出项目{i:02d},专项业务类,{10 + (i * 7) % 13},0" for i in range(14)]
    rows += [f"{YEAR},,{unit},低执行项目{i:02d},专项业务类,100,{5 + i}" for i in range(4)]
    csv = tmp_path / "projects.csv"
    csv.write_text("年度,单位编码,单位名称,项目名称,项目类别,预算数,实际支出数\n" + "\n".join(rows) + "\n",
                   encoding="utf-8")
    ingest.import_files(demo_db, ingest.read_files([csv]), imported_by="test")
    for region in (None, "甘肃省张掖市"):
        scope = dict(region=region, level=None, sector=None)
        assert len(demo_db.query("pages/worst_projects", year=YEAR, limit=12, **scope)) == 12  # not the scan
        chart = export.build_pack(demo_db, year=YEAR, charts=["lowest_projects"], **scope).charts[0]
        page = projects.worst(demo_db, YEAR, limit=12, **scope)
        bar = chart.figure.data[0]
        assert [label.split("<br>")[0] for label in values(bar.y)] == page["project_name"].tolist()
        assert values(bar.x) == pytest.approx(page["project_execution_rate"].tolist())
        every = demo_db.query("rates/project_rates", year=YEAR, **scope)
        expected = every.dropna(subset=["project_execution_rate"]).sort_values(**PROJECT_ORDER).head(12)
        assert page["project_name"].tolist() == expected["project_name"].tolist()
        assert (page["project_execution_rate"] == 0).all()                 # 15 zero-spend projects tie…
        assert page["budget"].is_monotonic_decreasing and page["budget"].nunique() > 10  # …larger budget first
        assert chart.takeaway.startswith(f"执行率最低的项目：{unit}「{expected['project_name'].iloc[0]}」0.00%")
        scan = demo_db.query("export/project_counts", year=YEAR, below=0.5, **scope).iloc[0]
        assert scan["zero_count"] >= 14 and scan["below_count"] >= 18
        assert (f"执行率低于 50% 的项目 {scan['below_count']} 个，其中 {scan['zero_count']} 个全年未支出。"
                in chart.takeaway)


@pytest.mark.parametrize("below", [0.5, 0.3, 0.0])
def test_project_low_counts_equal_the_scan(pack_db, below):
    """export/project_low_counts (from project_low) against export/project_counts (every project of
    the year), whole year and per region; None when the table was cut below the target asked."""
    from perfdash.derive import projects

    regions = pack_db.query("rates/unit_rates", year=YEAR, region=None, level=None, sector=None)["region"]
    for region in [None, *sorted(regions.dropna().unique())]:
        scope = dict(region=region, level=None, sector=None)
        scan = pack_db.query("export/project_counts", year=YEAR, below=below, **scope).iloc[0]
        assert projects.low_counts(pack_db, YEAR, below=below, **scope) == {
            "below_count": scan["below_count"], "zero_count": scan["zero_count"]}, region
    assert pack_db.query("export/project_counts", year=YEAR, below=0.5, region=None, level=None,
                         sector=None).iloc[0]["zero_count"] > 0
    assert projects.low_counts(pack_db, YEAR, below=0.9, region=None, level=None, sector=None) is None


def test_a_scope_without_low_projects_counts_those_with_a_rate(pack_db):
    """No project of 河南省洛阳市 executes below 50 %: the takeaway says how many have a rate, as a
    scan of every project counts them (the derived tables hold only the low ones)."""
    from perfdash.present import export

    region = "河南省洛阳市"
    chart = export.build_pack(pack_db, year=YEAR, region=region, charts=["lowest_projects"]).charts[0]
    projects = pack_db.query("rates/project_rates", year=YEAR, region=region, level=None, sector=None)
    rated = projects["project_execution_rate"].dropna()
    assert len(rated) > 12 and rated.min() >= 0.5
    assert chart.takeaway.endswith(f"；{len(rated)} 个项目执行率均不低于 50%。")


def test_warnings_chart_counts_every_flag(pack):
    fig = pack.charts[3].figure
    total = sum(sum(values(trace.x)) for trace in fig.data)
    assert total == len(pack.warnings)
    high = next(t for t in fig.data if t.name == "严重")
    assert sum(values(high.x)) == int((pack.warnings["severity"] == "high").sum())
    # per type and severity, as a label worded for every single flag would count them
    from perfdash.present.charts import pack as pack_charts
    from perfdash.present.style import plot_text

    flags = pack.warnings
    labels = pd.Series([plot_text(pack_charts.flag_label(m, k)) for m, k in zip(flags["metric"], flags["kind"])])
    for trace, severity in zip(fig.data, pack_charts.SEVERITY_ORDER):
        expected = labels[(flags["severity"] == severity).to_numpy()].value_counts()
        got = dict(zip(values(trace.y), values(trace.x)))
        assert {k: v for k, v in got.items() if v} == expected.to_dict()
    totals = labels.value_counts()
    assert list(values(fig.data[0].y))[0] in set(totals[totals == totals.max()].index)
    assert f"（{int(totals.max())} 条）" in pack.charts[3].takeaway


@pytest.mark.parametrize("region", [None, "甘肃省张掖市"])
def test_flag_counts_in_sql_equal_the_counts_of_every_flag(pack_db, region):
    """outliers/flag_type_counts (what the pack's warnings chart reads) against the year's flags."""
    from perfdash.derive import flag_list, outliers
    from perfdash.present.charts import pack as pack_charts

    scope = dict(region=region, level=None, sector=None)
    assert outliers.flags_current(pack_db)
    flags = outliers.flags_for_year(pack_db, YEAR, **scope)
    expected = flag_list.counted_by_type(flags)
    got = flag_list.type_counts(pack_db, YEAR, **scope)
    assert len(flags) > 0 and int(got["flag_count"].sum()) == len(flags)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    pd.testing.assert_frame_equal(pack_charts.labelled_counts(got), pack_charts.flag_type_counts(flags))


def test_every_chart_states_scope_basis_date_and_source(pack, pack_db):
    last = pd.Timestamp(pack_db.scalar("filters/last_import"))
    date = f"{last.year}年{last.month}月{last.day}日"
    for chart in pack.charts:
        title = chart.figure.layout.title
        assert f"{YEAR}" in title.text and CJK.search(title.text)
        assert "全部单位" in title.subtitle.text and f"数据截至 {date}" in title.subtitle.text
        assert "口径：" in title.subtitle.text
        assert any("来源：各单位部门整体支出绩效自评报告；perfdash" in a.text for a in chart.figure.layout.annotations)
    assert "预算执行率 = 实际支出数 ÷ 调整后预算数" in pack.charts[0].basis


def test_scope_filters_the_pack_and_names_its_files(pack_db):
    from perfdash.present import export

    region = "河南省洛阳市"
    scoped = export.build_pack(pack_db, year=YEAR, region=region, charts=["execution_by_unit", "lowest_projects"])
    units = pack_db.query("rates/unit_rates", year=YEAR, region=region, level=None, sector=None)
    assert set(values(scoped.charts[0].figure.data[0].y)) <= set(units["unit_name"])
    assert scoped.unit_count == len(units)
    assert scoped.png_name(1, scoped.charts[0]) == f"01_{YEAR}年_{region}_各单位预算执行率.png"
    assert region in scoped.charts[0].figure.layout.title.subtitle.text
    assert [c.id for c in scoped.charts] == ["execution_by_unit", "lowest_projects"]
    # the same numbers as every unit and project of the region give
    rated = units.dropna(subset=["execution_rate"]).sort_values(["execution_rate", "unit_name", "unit_key"])
    shown = rated if len(rated) <= 20 else pd.concat([rated.head(10), rated.tail(10)])
    assert values(scoped.charts[0].figure.data[0].x) == pytest.approx(shown["execution_rate"].tolist())
    assert f"低于 90% 的单位 {int((rated['execution_rate'] < 0.9).sum())} 个" in scoped.charts[0].takeaway
    projects = pack_db.query("rates/project_rates", year=YEAR, region=region, level=None, sector=None)
    ranked = projects.dropna(subset=["project_execution_rate"]).sort_values(**PROJECT_ORDER)
    worst = ranked.iloc[0]
    assert scoped.charts[1].takeaway.startswith(f"执行率最低的项目：{worst['unit_name']}「{worst['project_name']}」")
    assert values(scoped.charts[1].figure.data[0].x) == pytest.approx(
        ranked["project_execution_rate"].head(12).tolist())


def test_file_names_drop_characters_file_systems_reject():
    from perfdash.present.export import Pack, PackChart
    from perfdash.scope import Scope

    pack = Pack(scope=Scope(2023, region='河南/郑州:*?"<>|'), bureau="财政局", as_of=None, unit_count=1,
                charts=[], warnings=pd.DataFrame())
    chart = PackChart("trend", "预算执行率变化趋势", "", None, "", "")
    name = pack.png_name(2, chart)
    assert not re.search(r'[\\/:*?"<>|]', name) and name.startswith("02_2023年_河南_郑州")


# -- names are data ---------------------------------------------------------------------------


def test_unit_names_stay_literal_text(demo_db, tmp_path):
    from perfdash import ingest
    from perfdash.present import export

    name = "测试<b>单位</b>*_局"
    csv = tmp_path / "odd.csv"
    csv.write_text("年度,单位名称,地区,层级,调整后预算数,实际支出数\n"
                   f"{YEAR},{name},河南省洛阳市,县级,100,10\n", encoding="utf-8")
    ingest.import_files(demo_db, ingest.read_files([csv]), imported_by="test")
    pack = export.build_pack(demo_db, year=YEAR, charts=["execution_by_unit"])
    chart = pack.charts[0]
    assert f"{name}（10.00%）" in chart.takeaway                      # the deck shows the name as written
    labels = values(chart.figure.data[0].y)
    assert "测试&lt;b&gt;单位&lt;/b&gt;*_局" in labels  # Plotly gets it escaped
    assert name not in labels


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_export_of_an_empty_year_says_so_plainly(demo_db_path, tmp_path, capsys):
    from perfdash.cli import main

    out = tmp_path / "pack"
    assert main(["export", "--year", "1990", "--out", str(out), "--db", str(demo_db_path)]) == 1
    err = capsys.readouterr().err
    assert "1990年" in err and "没有数据" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_unknown_chart_is_refused_in_chinese(pack_db):
    from perfdash.present import export

    with pytest.raises(export.ExportError, match="没有这些图表：pie"):
        export.build_pack(pack_db, year=YEAR, charts=["pie"])


# -- the page ---------------------------------------------------------------------------------


@pytest.fixture
def captured_downloads(monkeypatch):
    """The bytes every st.download_button hands to Streamlit's media storage, by file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes) and filename:
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


def test_page_offers_the_same_pack_as_a_zip(app, exported, captured_downloads):
    at = app(query_params={"year": str(YEAR)}, timeout=180)
    at.run()
    at.switch_page("app_pages/meeting_export.py").run()
    assert not at.exception
    assert at.title[0].value == "会议导出"
    previews = at.get("plotly_chart")
    assert len(previews) == 6
    assert not at.get("download_button")
    at.button(key="pack_build").click().run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1 and buttons[0].proto.label == "下载会议材料（ZIP）"
    zip_name = f"{YEAR}年_会议材料.zip"
    assert zip_name in captured_downloads
    with zipfile.ZipFile(io.BytesIO(captured_downloads[zip_name])) as archive:
        names = archive.namelist()
        assert names == [p.name for p in exported]
        for info in archive.infolist():
            assert info.flag_bits & 0x800  # UTF-8 file names
        for name in names[:6]:
            head = archive.read(name)[:24]
            assert struct.unpack(">II", head[16:24]) == (3000, 1688)
        from pptx import Presentation

        deck = Presentation(io.BytesIO(archive.read(names[6])))
        assert len(deck.slides) == len(_deck(exported).slides)


def test_page_caches_the_data_step_and_the_figures_apart(app, monkeypatch):
    """A rerun neither queries nor rebuilds the figures; a new 署名 rebuilds the figures from the
    cached data step; another chart choice reads the data again."""
    import functools

    from perfdash.present import export

    seen = {"pack_data": 0, "pack_from_data": 0}

    def counting(func):
        @functools.wraps(func)   # the cache key names the function
        def wrapper(*args, **kwargs):
            seen[func.__name__] += 1
            return func(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(export, "pack_data", counting(export.pack_data))
    monkeypatch.setattr(export, "pack_from_data", counting(export.pack_from_data))
    at = app(query_params={"year": str(YEAR)}, timeout=180)
    at.run()
    at.switch_page("app_pages/meeting_export.py").run()
    assert not at.exception and seen == {"pack_data": 1, "pack_from_data": 1}
    at.run()
    assert seen == {"pack_data": 1, "pack_from_data": 1}
    at.text_input(key="pack_bureau").input("某某市财政局").run()
    assert not at.exception and seen == {"pack_data": 1, "pack_from_data": 2}
    at.multiselect(key="pack_charts").unselect("trend").run()
    assert not at.exception and seen == {"pack_data": 2, "pack_from_data": 3}
    assert len(at.get("plotly_chart")) == 5


def test_page_scope_follows_the_sidebar(app):
    at = app(query_params={"year": str(YEAR), "region": "甘肃省张掖市"}, timeout=120)
    at.run()
    at.switch_page("app_pages/meeting_export.py").run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "甘肃省张掖市" in spec["layout"]["title"]["subtitle"]["text"]
    assert all(name.startswith(("张掖市", "甘州区")) for name in spec["data"][0]["y"])


# -- every chart in the app downloads as a named 3× PNG -------------------------------------------


def _pages() -> list[str]:
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    return re.findall(r'st\.Page\("(app_pages/[\w/]+\.py)"', text)


YEAR_IN_NAME = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")  # a year, or a span like 2018–2022年


def test_every_chart_in_the_app_downloads_with_a_chinese_year_bearing_name(app):
    """Every chart's toolbar PNG: scale ≥ 3 and a Chinese file name that says which year(s)."""
    at = app(query_params={"year": str(YEAR)}, timeout=180)
    at.run()
    problems, seen = [], 0
    for page in _pages():
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {at.exception}"
        for chart in at.get("plotly_chart"):
            config = json.loads(chart.proto.config)
            options = config.get("toImageButtonOptions", {})
            filename = options.get("filename", "")
            seen += 1
            if options.get("scale", 1) < 3 or not YEAR_IN_NAME.search(filename) or not CJK.search(filename):
                problems.append(f"{page}: {filename!r} (scale {options.get('scale')})")
    assert seen >= 10
    assert not problems, "charts whose PNG download is not named with the year in Chinese:\n" + "\n".join(problems)


def test_charts_without_data_say_so(tmp_path):
    """Only the 甘州 report (2023: budget but no spending, no scores, no projects): every chart
    still comes out, titled, with a sentence saying what is missing instead of empty axes."""
    from perfdash import ingest
    from perfdash.present import export
    from perfdash.derive import open_current

    db = open_current(tmp_path / "seed.duckdb")
    try:
        ingest.import_files(db, ingest.read_files([ROOT / "data" / "seed" / "02_budget_ganzhou_yuan.csv"]),
                            imported_by="test")
        pack = export.build_pack(db, year=2023)
    finally:
        db.close()
    by_id = {c.id: c for c in pack.charts}
    assert pack.unit_count == 1
    assert by_id["execution_by_unit"].takeaway == "所选范围内没有可计算预算执行率的单位。"
    assert any("没有可计算预算执行率" in a.text for a in by_id["execution_by_unit"].figure.layout.annotations)
    assert by_id["lowest_projects"].takeaway == "2023年所选范围内没有项目数据。"
    assert by_id["score_by_dimension"].takeaway == "2023年所选范围内没有一级指标得分数据。"
    assert by_id["grade_mix"].takeaway == "2023年 1 个单位中 优 1 个，“优”占 100.00%。"
    assert "没有可计算的预算执行率" in by_id["trend"].takeaway


def test_a_preview_without_the_warnings_chart_reads_no_flags_and_its_zip_still_lists_them_all(pack_db, pack):
    """The page's preview of a pack without 预警分布 does not read the year's flags (a national
    year has ~100,000); the ZIP made from it reads them and lists every one, as the full pack does."""
    from perfdash.present import export

    preview = export.build_pack(pack_db, year=YEAR, charts=("trend",))
    assert preview.warnings is None
    name, payload, members = export.zip_pack(pack_db, preview)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        csv_name = next(m for m in members if m.endswith("预警清单.csv"))
        frame = pd.read_csv(io.BytesIO(archive.read(csv_name)), encoding="utf-8-sig", dtype=str)
    assert len(frame) == len(pack.warnings) > 0
    assert frame["单位名称"].tolist() == pack.warnings["unit_name"].tolist()

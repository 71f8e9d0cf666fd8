"""Page chrome: headings, the demo-data notice, empty states, charts with PNG download."""
from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from perfdash.present import style, tabular
from perfdash.security import markdown_literal
from ui import data, filters, present


def demo_notice() -> None:
    if data.query("filters/demo_loaded")["n"].iloc[0]:
        st.info("当前显示的是**示例数据**（四份公开报告的数据与生成的演示单位），"
                "导入本地数据后请在「数据导入」页回滚示例批次。", icon=":material/info:")


def start_page(title: str):
    """The page title and the shared filters; an empty database stops the page with what to do."""
    f = filters.current()
    st.title(title)
    if f.year is None:
        empty_state("数据库中")
        st.stop()
    return f


def scope_caption(f, *notes: str) -> None:
    """「2022 年 · <scope> · notes」: the scope is data (region names) and shown as written."""
    st.caption(" · ".join([f"{f.year} 年", markdown_literal(f.describe()), *notes]))


def stop_if_empty(frame, f) -> None:
    """No rows for this year and scope: say so, say how to import, and end the page run."""
    if frame.empty:
        scope_caption(f)
        empty_state(f"{f.year} 年（{f.describe()}）")
        st.stop()


def empty_state(what: str) -> None:
    st.warning(f"{markdown_literal(what)}暂无数据。请到「数据导入」页上传该年度的 CSV 或 XLSX 文件（可先下载模板）。",
               icon=":material/inbox:")


def year_of(frame, preferred: int, *, label: str, key: str) -> int:
    """A year picker over the years `frame` has rows for (latest first), starting on `preferred`
    when it is one of them: a unit's scores or projects may stop before its figures do."""
    years = sorted(frame["year"].unique().tolist(), reverse=True)
    default = preferred if preferred in years else years[0]
    return st.segmented_control(label, years, default=default, format_func=lambda y: f"{y} 年", key=key) or default


def chart(fig: go.Figure, *, filename: str, key: str | None = None, on_select=None):
    """Show a figure with its own template (theme=None) and a 3× PNG download named in Chinese."""
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": tabular.safe_filename(filename), "scale": 3},
    }
    kwargs = {"on_select": on_select, "selection_mode": "points"} if on_select else {}
    if present.is_on():
        fig = style.for_projector(fig)
    return st.plotly_chart(fig, width="stretch", theme=None, config=config, key=key, **kwargs)


# -- opening a unit's profile from any chart or table ---------------------------------------

PROFILE_PAGE = "app_pages/unit_profile.py"
CLICK_HINT = "点击图中的单位可打开其「单位画像」。"


def open_profile(unit_key: str) -> None:
    """Go to the unit profile of `unit_key`, keeping the filters in the URL (?unit=… too)."""
    from ui import filters

    st.session_state["profile_unit"] = unit_key
    filters.reseed_from_url()
    st.switch_page(PROFILE_PAGE, query_params={**filters.url_params(), "unit": unit_key})


def unit_from_selection(event) -> str | None:
    """The unit_key carried as customdata by the first selected point of a Plotly event."""
    if not event:
        return None
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        custom = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(custom, (list, tuple)):
            custom = custom[0] if custom else None
        if isinstance(custom, str) and custom:
            return custom
    return None


def unit_chart(fig: go.Figure, *, filename: str, key: str) -> None:
    """A chart whose points carry unit_key as customdata: clicking one opens that unit's profile."""
    event = chart(fig, filename=filename, key=key, on_select="rerun")
    unit = unit_from_selection(event)
    if unit:
        open_profile(unit)


def unit_table(frame, unit_keys, *, key: str, **kwargs) -> None:
    """st.dataframe where selecting a row opens that row's unit profile (unit_keys aligned with
    the rows of `frame`)."""
    event = st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-row", **kwargs)
    rows = event["selection"]["rows"] if event else []
    if rows:
        open_profile(list(unit_keys)[rows[0]])


# -- picking units: search first ---------------------------------------------------------------

# A scope with at most this many units offers them all (the picker filters as one types);
# a larger one (a province: 20,000, the country: 500,000) asks for a name or code first and
# offers the best SEARCH_LIMIT matches — a widget never carries every unit of the province.
LIST_ALL_UP_TO = 500
SEARCH_LIMIT = 50


def all_units(scope: dict, *, year: int | None = None, limit: int = LIST_ALL_UP_TO):
    """The units within `scope` (with figures in `year` when given) as pages/unit_search.sql lists
    them for no search text, at most `limit` (pages/unit_list.sql: the same rows, read from the
    per-unit rows of unit_pick in the list's order)."""
    return data.query("pages/unit_list", year=year, limit=limit, **scope)


def unit_search_picker(label: str, *, key: str, scope: dict, year: int | None = None, multi: bool = False,
                       max_selections: int | None = None, placeholder: str | None = None):
    """Pick one unit (st.selectbox, returns its unit_key or None) or several (st.multiselect,
    returns a list) under session_state[key].

    Options: the units already chosen (kept whatever the search text, even outside the filters:
    a ?unit= link, a click from another page), then the units within `scope` (and with figures
    in `year` when given) — all of them up to LIST_ALL_UP_TO, otherwise those matching the text
    typed in the search box above (session_state[key + "_q"]; pages/unit_search.sql). Chosen
    units that no longer exist (rolled back) are dropped.
    """
    chosen = st.session_state.get(key)
    chosen = [k for k in (chosen or []) if k] if multi else ([chosen] if chosen else [])
    everyone = all_units(scope, year=year)
    total = int(everyone["matches"].iloc[0]) if len(everyone) else 0
    if total <= LIST_ALL_UP_TO:
        found = everyone
    else:
        text = st.text_input(f"查找单位（共 {total:,} 个，输入名称中的字或单位编码）", key=f"{key}_q",
                             placeholder="例如：教育局、410205", max_chars=60)
        text = (text or "").strip()
        found = data.query("pages/unit_search", q=text, year=year, limit=SEARCH_LIMIT, **scope) if text \
            else everyone.head(0)
        matches = int(found["matches"].iloc[0]) if len(found) else 0
        if not text:
            st.caption("输入后在下方选择；已选的单位会一直保留。")
        elif not matches:
            st.caption(f"没有名称含「{markdown_literal(text)}」或编码为「{markdown_literal(text)}」的单位。")
        elif matches > SEARCH_LIMIT:
            st.caption(f"找到 {matches:,} 个单位，下方列出最接近的 {SEARCH_LIMIT} 个；输入更多字可缩小范围。")
        else:
            st.caption(f"找到 {matches:,} 个单位，请在下方选择。")
    labels = dict(zip(found["unit_key"], found["label"]))
    missing = [k for k in chosen if k not in labels]
    if missing:
        extra = data.query("pages/unit_labels", unit_keys=missing, year=year, **scope)
        labels = {**dict(zip(extra["unit_key"], extra["label"])), **labels}
    kept = [k for k in chosen if k in labels]
    if kept != chosen:           # before the widget exists: may still be set this run
        st.session_state[key] = kept if multi else (kept[0] if kept else None)
    options = kept + [k for k in labels if k not in set(kept)]
    if multi:
        return st.multiselect(label, options, format_func=labels.get, max_selections=max_selections, key=key,
                              placeholder=placeholder or "选择单位")
    default = {} if key in st.session_state else {"index": None}
    return st.selectbox(label, options, format_func=labels.get, key=key,
                        placeholder=placeholder or "请先查找并选择单位", **default)

"""Page chrome: headings, the demo-data notice, empty states, charts with PNG download."""
from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from perfdash import style
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


def safe_filename(text: str) -> str:
    """A file name that keeps Chinese but drops characters file systems reject."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:120] or "chart"


def chart(fig: go.Figure, *, filename: str, key: str | None = None, on_select=None):
    """Show a figure with its own template (theme=None) and a 3× PNG download named in Chinese."""
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": safe_filename(filename), "scale": 3},
    }
    kwargs = {"on_select": on_select, "selection_mode": "points"} if on_select else {}
    if present.is_on():
        fig = style.for_projector(fig)
    return st.plotly_chart(fig, width="stretch", theme=None, config=config, key=key, **kwargs)


# -- opening a unit's profile from any chart or table ---------------------------------------

PROFILE_PAGE = "pages/unit_profile.py"
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

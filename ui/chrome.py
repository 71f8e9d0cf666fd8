"""Page chrome: headings, the demo-data notice, empty states, charts with PNG download."""
from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from ui import data


def demo_notice() -> None:
    if data.query("filters/demo_loaded")["n"].iloc[0]:
        st.info("当前显示的是**示例数据**（四份公开报告的数据与生成的演示单位），"
                "导入本地数据后请在「数据导入」页回滚示例批次。", icon=":material/info:")


def empty_state(what: str) -> None:
    st.warning(f"{what}暂无数据。请到「数据导入」页上传该年度的 CSV 或 XLSX 文件（可先下载模板）。",
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
    return st.plotly_chart(fig, width="stretch", theme=None, config=config, key=key, **kwargs)

"""The 单位对照 section of the 数据导入 page: the stored map, and new mappings typed into a
table, checked, previewed and confirmed through an UploadSession of their own (the same steps,
and the same checks, as a map file uploaded above)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from perfdash.ingest.columns import UNIT_MAP_COLUMNS
from perfdash.ingest.session import UploadSession
from perfdash.present import tabular, upload_tables as tables
from ui import data, upload_views

SESSION_KEY = "_unit_map_state"
EDITOR_KEY = "unit_map_editor"
FILE_NAME = "单位对照（页面录入）.csv"
LABELS = [c.label for c in UNIT_MAP_COLUMNS]


def _session() -> UploadSession:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = UploadSession()
    return st.session_state[SESSION_KEY]


def _typed_file(edited: pd.DataFrame) -> list[tuple[str, bytes]]:
    """The rows typed so far as a map file; none while every cell is blank."""
    filled = edited.replace(r"^\s*$", None, regex=True).dropna(how="all")
    return [(FILE_NAME, tabular.to_csv_bytes(filled))] if not filled.empty else []


def section(limits, *, may_write) -> None:
    st.subheader("单位对照（更名、合并、改编码）")
    st.caption("单位更名、机构改革合并或更换单位编码后，历年数据会分成两个单位。在这里（或上传「单位对照」文件）"
               "写明原单位归入哪个现单位：原单位的历年数据归入现单位，之后上传的表格仍用原名称或原编码的也归入现单位。"
               "两个单位同一年都有数据时会被拒绝；回滚对照所在的批次即可撤销。")
    stored = data.query("import/unit_map_list")
    if stored.empty:
        st.caption("还没有单位对照。")
    else:
        st.dataframe(tables.unit_map_table(stored), hide_index=True, width="stretch", key="unit_map_stored")
    st.caption("新增对照：在下表逐行填写（表格右上角或最后一行的「+」可添加行）。原单位填名称和地区，或填原编码；"
               "现单位同样。填写后下方显示将归入的数据，确认后才写入。")
    blank = pd.DataFrame({label: pd.Series(dtype="string") for label in LABELS})
    edited = st.data_editor(blank, num_rows="dynamic", hide_index=True, width="stretch", key=EDITOR_KEY,
                            column_config={label: st.column_config.TextColumn(label) for label in LABELS})
    upload_views.run(_session(), _typed_file(edited), limits, may_write=may_write, key="unit_map")

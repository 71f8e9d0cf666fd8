"""会议导出: the meeting pack — chart PNGs (3000 × 1688), a 16:9 PPTX and the warning list — as
one ZIP, for the year and scope chosen in the sidebar. The same as `python -m perfdash export`."""
import time

import streamlit as st

from perfdash.present import export
from perfdash.security import markdown_literal as literal
from ui import chrome, data

f = chrome.start_page("会议导出")
chrome.scope_caption(f, "按左侧筛选生成；图片 3000 × 1688 像素（16:9），幻灯片 16:9")

left, right = st.columns([3, 2])
with left:
    chosen = st.multiselect("图表", options=list(export.CHARTS), default=list(export.CHARTS),
                            format_func=export.CHARTS.get, key="pack_charts",
                            help="每张图一页幻灯片；最后一页是预警清单（严重在前）。")
with right:
    bureau = st.text_input("标题页署名", value=export.bureau_name(data.db().config.source), key="pack_bureau",
                           max_chars=40, help="默认取 perfdash.toml 中 [export] bureau 的值，未设置时为「财政局」。")

if not chosen:
    st.info("请至少选择一张图表。", icon=":material/info:")
    st.stop()

request = dict(year=f.year, **f.params(), charts=tuple(chosen), bureau=bureau.strip() or None)
try:   # the data step cached on the scope and charts; the figures on those and the 署名 too
    pack = data.built(export.pack_from_data, export.pack_data, options=dict(bureau=request["bureau"]),
                      **{k: v for k, v in request.items() if k != "bureau"})
except export.ExportError as exc:
    st.warning(str(exc), icon=":material/inbox:")
    st.stop()

made = st.session_state.get("pack_zip")
fresh = made is not None and made["request"] == request and made["version"] == data.data_version()
if st.button("生成会议材料", type="primary", key="pack_build", icon=":material/slideshow:"):
    started = time.perf_counter()
    try:
        with st.spinner("正在生成图片和幻灯片（约 10 秒）…"):
            name, payload, members = export.zip_pack(data.db(), pack)   # the pack previewed below
    except export.ExportError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()
    made = dict(request=request, version=data.data_version(), name=name, data=payload, members=members,
                seconds=time.perf_counter() - started)
    st.session_state["pack_zip"] = made
    fresh = True

if fresh:
    st.success(f"已生成 {len(made['members'])} 个文件（用时 {made['seconds']:.1f} 秒）。", icon=":material/check_circle:")
    st.download_button("下载会议材料（ZIP）", data=made["data"], file_name=made["name"], mime="application/zip",
                       key="pack_download", icon=":material/download:", type="primary", on_click="ignore")
    st.markdown("\n".join(f"- {literal(name)}" for name in made["members"]))

st.subheader("预览")
for index, item in enumerate(pack.charts, start=1):
    st.markdown(f"**{index}\\. {literal(item.takeaway)}**")
    chrome.chart(item.figure, filename=f"{f.year}年_{item.name}", key=f"pack_preview_{item.id}")

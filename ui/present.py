"""会议模式 (presentation mode): a page as it should look on a projector or in a screenshot.

On with the sidebar toggle or `?present=1` in the URL (so a shared link opens in it). It hides the
sidebar, Streamlit's header, toolbar, status widget and footer and the per-element toolbars,
widens the page and enlarges the text. A small 「退出会议模式」 button stays at the top right.

The stylesheet is a fixed string: no user data ever goes into it.
"""
from __future__ import annotations

import streamlit as st

PARAM = "present"
KEY = "present_mode"
_SEEDED = "_present_seeded"

STYLESHEET = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="collapsedControl"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stElementToolbar"],
[data-testid="stSidebarNav"], footer, .modebar-container { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
  padding-top: 3rem !important; padding-left: 2.5rem !important; padding-right: 2.5rem !important;
  max-width: 100% !important;
}
[data-testid="stMain"] { margin-left: 0 !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.3rem !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 1.1rem !important; }
h1 { font-size: 2.8rem !important; }
h2 { font-size: 2.2rem !important; }
h3 { font-size: 1.8rem !important; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {
  font-size: 1.3rem !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {
  font-size: 3rem !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"] p {
  font-size: 1.3rem !important; }
[data-testid="stAlert"] p { font-size: 1.2rem !important; }
.st-key-present_exit { position: fixed; top: 0.6rem; right: 1rem; z-index: 999990; width: auto !important; }
.st-key-present_exit button { opacity: 0.55; min-height: 1.8rem; padding: 0.1rem 0.7rem; }
.st-key-present_exit button:hover { opacity: 1; }
.st-key-present_exit button p { font-size: 0.85rem !important; }
</style>"""


def _seed_from_url() -> None:
    if st.session_state.get(_SEEDED):
        return
    st.session_state[_SEEDED] = True
    if st.query_params.get(PARAM) in ("1", "true", "yes", "on"):
        st.session_state[KEY] = True


def _exit() -> None:
    st.session_state[KEY] = False


def is_on() -> bool:
    return bool(st.session_state.get(KEY, False))


def apply() -> bool:
    """The sidebar toggle, the URL mirror and, when on, the stylesheet and the exit button."""
    _seed_from_url()
    with st.sidebar:
        st.toggle("会议模式", key=KEY,
                  help="隐藏侧边栏和工具栏、放大字体，便于投屏或截图。也可在网址后加 ?present=1 直接打开。")
    on = is_on()
    if on:
        if st.query_params.get(PARAM) != "1":
            st.query_params[PARAM] = "1"
        st.html(STYLESHEET)
        st.button("退出会议模式", key="present_exit", on_click=_exit, icon=":material/close_fullscreen:",
                  help="恢复侧边栏和工具栏")
    else:
        st.query_params.pop(PARAM, None)
    return on

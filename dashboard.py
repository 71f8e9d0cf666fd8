"""Entry point: page config, navigation and the filters every page shares. Pages stay thin."""
import streamlit as st

from ui import chrome, filters, present

st.set_page_config(page_title="部门整体支出绩效分析", page_icon=":material/analytics:", layout="wide")

PAGES = {
    "分析": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    ],
    "会议": [
        st.Page("pages/meeting_export.py", title="会议导出", icon=":material/slideshow:"),
    ],
    "数据": [
        st.Page("pages/upload.py", title="数据导入", icon=":material/upload_file:"),
    ],
}

navigation = st.navigation(PAGES)
st.session_state["filters"] = filters.sidebar_filters()
present.apply()
chrome.demo_notice()
navigation.run()

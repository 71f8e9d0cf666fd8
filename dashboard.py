"""Entry point: page config, navigation and the filters every page shares. Pages stay thin."""
import streamlit as st

from ui import chrome, data, filters, present

st.set_page_config(page_title="部门整体支出绩效分析", page_icon=":material/analytics:", layout="wide")

PAGES = {
    "分析": [
        st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("app_pages/trends.py", title="趋势", icon=":material/trending_up:"),
        st.Page("app_pages/unit_profile.py", title="单位画像", icon=":material/account_balance:"),
        st.Page("app_pages/ranking.py", title="排名对比", icon=":material/leaderboard:"),
        st.Page("app_pages/projects.py", title="项目执行", icon=":material/assignment:"),
        st.Page("app_pages/outliers.py", title="异常预警", icon=":material/warning:"),
        st.Page("app_pages/reconcile.py", title="报告比率核对", icon=":material/fact_check:"),
    ],
    "会议": [
        st.Page("app_pages/meeting_export.py", title="会议导出", icon=":material/slideshow:"),
    ],
    "数据": [
        st.Page("app_pages/upload.py", title="数据导入", icon=":material/upload_file:"),
        st.Page("app_pages/definitions.py", title="口径说明", icon=":material/menu_book:"),
    ],
}

navigation = st.navigation(PAGES)
problem = data.open_problem()
if problem:
    st.error(f"无法打开数据库：{problem}", icon=":material/error:")
    st.stop()
st.session_state["filters"] = filters.sidebar_filters()
present.apply()
chrome.demo_notice()
navigation.run()

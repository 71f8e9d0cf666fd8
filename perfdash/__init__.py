"""perfdash — departmental budget performance (部门整体支出绩效) analytics.

The core: importable and testable without Streamlit.
"""
__version__ = "0.1.0"

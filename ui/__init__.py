"""Streamlit-side helpers shared by the pages: the cached store, filters, page chrome, the
upload page's session state.

Kept outside perfdash/ so the core imports and tests without Streamlit.
"""

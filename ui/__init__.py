"""Streamlit-side helpers shared by the pages: the cached store, filters, page chrome.

Kept outside perfdash/ so the core imports and tests without Streamlit.
"""

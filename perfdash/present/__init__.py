"""Presentation: the one chart style, chart builders, the meeting pack and tabular exports.

Plain DataFrames in, Plotly figures / files out; no Streamlit here."""

"""Chart builders: plain DataFrames in, Plotly figures out, every figure on style.TEMPLATE.

One module per area of the dashboard. Builders take the rows a query returned and never
query themselves, so the pages, the meeting export and the tests share them.
"""

"""Sidebar filters shared by every page, mirrored in the URL so a view can be bookmarked."""
from __future__ import annotations

import streamlit as st

from perfdash.scope import Scope
from ui import data

ALL = "全部"
# session_state key -> URL query parameter
FILTER_KEYS = {"f_year": "year", "f_region": "region", "f_level": "level", "f_sector": "sector"}


def _options() -> dict[str, list[str]]:
    frame = data.query("filters/options")
    return {dim: frame.loc[frame["dimension"] == dim, "value"].tolist() for dim in FILTER_KEYS.values()}


def _seed_from_url(options: dict[str, list[str]]) -> None:
    """On a session's first run, take the filters from the URL (a bookmarked or shared view);
    again after reseed_from_url() (st.switch_page does not carry the sidebar widgets' state,
    so a page switched to in code takes the filters from the query parameters it was given)."""
    if st.session_state.pop("_filters_reseed", False):
        st.session_state["_filters_seeded"] = False
    if st.session_state.get("_filters_seeded"):
        return
    st.session_state["_filters_seeded"] = True
    for key, param in FILTER_KEYS.items():
        value = st.query_params.get(param)
        allowed = options[param] if param == "year" else [ALL, *options[param]]
        if value in allowed:
            st.session_state[key] = value


def sidebar_filters() -> Scope:
    options = _options()
    _seed_from_url(options)
    years = sorted(options["year"], reverse=True)
    with st.sidebar:
        st.markdown("#### 筛选")
        year = st.selectbox("年度", years, key="f_year", format_func=lambda y: f"{y} 年") if years else None
        region = st.selectbox("地区", [ALL, *options["region"]], key="f_region")
        level = st.selectbox("层级", [ALL, *options["level"]], key="f_level")
        sector = st.selectbox("行业", [ALL, *options["sector"]], key="f_sector")
    chosen = {"year": year, "region": region, "level": level, "sector": sector}
    for param, value in chosen.items():
        if value is None or value == ALL:
            st.query_params.pop(param, None)
        elif st.query_params.get(param) != str(value):
            st.query_params[param] = str(value)
    return Scope(
        year=int(year) if year else None,
        region=None if region == ALL else region,
        level=None if level == ALL else level,
        sector=None if sector == ALL else sector,
    )


def reseed_from_url() -> None:
    """Call before st.switch_page(..., query_params=url_params()): the next run re-reads the
    filters from those parameters."""
    st.session_state["_filters_reseed"] = True


def url_params() -> dict[str, str]:
    """The filters as URL query parameters, to carry them across st.switch_page (which otherwise
    clears the URL)."""
    f = st.session_state.get("filters")
    if f is None:
        return {}
    chosen = {"year": f.year, "region": f.region, "level": f.level, "sector": f.sector}
    return {k: str(v) for k, v in chosen.items() if v is not None}


def current() -> Scope:
    """The filters as set this run (dashboard.py renders them before the page runs)."""
    return st.session_state["filters"]

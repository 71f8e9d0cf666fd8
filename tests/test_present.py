"""会议模式 (ui/present.py): `?present=1` or the sidebar toggle hides the chrome and enlarges the text;
a small 「退出会议模式」 button turns it off again; the URL mirrors the state."""
from __future__ import annotations

import pytest

from ui import present


def _styles(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def test_url_turns_presentation_mode_on(app):
    at = app(query_params={"present": "1", "year": "2022"})
    at.run()
    assert not at.exception
    assert at.session_state[present.KEY] is True
    assert _styles(at) == [present.STYLESHEET]
    exit_button = at.button(key="present_exit")
    assert exit_button.label == "退出会议模式"
    assert at.query_params["present"] in ("1", ["1"])
    assert at.title[0].value == "总览"  # the page itself is still there


def test_stylesheet_hides_the_chrome_and_enlarges_text():
    css = present.STYLESHEET
    for selector in ('[data-testid="stSidebar"]', '[data-testid="stHeader"]', '[data-testid="stToolbar"]',
                     "footer", '[data-testid="stElementToolbar"]'):
        assert selector in css.split("{ display: none !important; }")[0], selector
    assert '[data-testid="stMetricValue"]' in css and "3rem" in css
    assert css.startswith("<style>") and css.rstrip().endswith("</style>")
    assert "{}" not in css and "%s" not in css  # a fixed sheet: nothing is formatted into it


def test_off_by_default(app):
    at = app(query_params={"year": "2022"})
    at.run()
    assert not at.exception
    assert at.toggle(key=present.KEY).value is False
    assert not _styles(at)
    assert not [b for b in at.button if b.key == "present_exit"]
    assert "present" not in at.query_params


def test_exit_button_turns_it_off_and_clears_the_url(app):
    at = app(query_params={"present": "1", "year": "2022"})
    at.run()
    at.button(key="present_exit").click().run()
    assert not at.exception
    assert at.session_state[present.KEY] is False
    assert not _styles(at)
    assert not [b for b in at.button if b.key == "present_exit"]
    assert "present" not in at.query_params
    assert at.selectbox(key="f_year").value == "2022"  # the filters survive


def test_sidebar_toggle_turns_it_on_and_mirrors_the_url(app):
    at = app(query_params={"year": "2022"})
    at.run()
    at.toggle(key=present.KEY).set_value(True).run()
    assert not at.exception
    assert _styles(at) == [present.STYLESHEET]
    assert at.query_params["present"] in ("1", ["1"])


@pytest.mark.parametrize("value", ["0", "<style>body{display:none}</style>", "present"])
def test_other_url_values_leave_it_off(app, value):
    at = app(query_params={"present": value, "year": "2022"})
    at.run()
    assert not at.exception
    assert at.session_state[present.KEY] is False
    assert not _styles(at)


def test_presentation_mode_works_on_the_meeting_page(app):
    at = app(query_params={"present": "1", "year": "2022"})
    at.run()
    at.switch_page("app_pages/meeting_export.py").run()
    assert not at.exception
    assert at.title[0].value == "会议导出"
    assert _styles(at) == [present.STYLESHEET]


def test_charts_get_larger_text_in_presentation_mode(app):
    import json

    from perfdash.present import style

    def first_chart_font(query_params):
        at = app(query_params=query_params)
        at.run()
        assert not at.exception
        layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
        return layout.get("font", {}), layout["template"]["layout"]["font"]

    normal, normal_base = first_chart_font({"year": "2022"})
    projected, projected_base = first_chart_font({"year": "2022", "present": "1"})
    assert normal.get("size", normal_base["size"]) != style.PROJECTOR_FONT_SIZE
    assert projected["size"] == style.PROJECTOR_FONT_SIZE
    assert projected_base["family"].startswith(style.CJK_FONT)  # still the project template

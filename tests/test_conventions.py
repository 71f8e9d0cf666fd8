"""The project's own conventions, enforced: SQL only in queries/ with a documenting header,
parameters bound, pages without SQL, a core that imports without Streamlit, one chart style."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from perfdash.store import sql

ROOT = Path(__file__).resolve().parent.parent
QUERY_NAMES = sql.all_names()
SQL_WORDS = re.compile(r"\b(SELECT|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|CREATE\s+(TABLE|VIEW))\b")


def test_there_are_queries():
    assert len(QUERY_NAMES) >= 20


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_file_opens_with_its_documentation(name):
    head = sql.header(name)
    assert head.get("purpose"), f"queries/{name}.sql lacks '-- purpose:'"
    assert "params" in head, f"queries/{name}.sql lacks '-- params:'"
    body = "\n".join(l for l in sql.load(name).splitlines() if not l.lstrip().startswith("--")).lstrip().upper()
    if body.startswith(("SELECT", "WITH")):
        assert head.get("row"), f"queries/{name}.sql returns rows but does not say what one row means"


DIVISION = re.compile(r"/\s*NULLIF\(|\w\s/\s\w")


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_a_query_that_computes_a_ratio_states_its_formula(name):
    body = "\n".join(line.split("--", 1)[0] for line in sql.load(name).splitlines())
    if DIVISION.search(body):
        assert sql.header(name).get("formula"), f"queries/{name}.sql divides but its header states no '-- formula:'"


def test_the_ratio_check_sees_a_division():
    assert DIVISION.search("SELECT a / NULLIF(b, 0)") and DIVISION.search("x.spend / x.budget")
    assert not DIVISION.search("SELECT year, unit_key FROM budget")


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_declared_parameters_are_the_ones_used(name):
    used = set(sql.parameters(name))
    declared = sql.header(name).get("params", "")
    for param in used:
        assert f"${param}" in declared, f"queries/{name}.sql uses ${param} but its header does not declare it"


def _python_files(*dirs):
    for d in dirs:
        yield from sorted((ROOT / d).rglob("*.py"))


@pytest.mark.parametrize("path", list(_python_files("app_pages")) + [ROOT / "dashboard.py"], ids=lambda p: p.name)
def test_pages_hold_no_sql(path):
    text = path.read_text(encoding="utf-8")
    assert "duckdb" not in text, f"{path.name} talks to DuckDB directly"
    assert ".execute(" not in text, f"{path.name} executes SQL"
    strings = re.findall(r"([\"'])(.*?)\1", text)
    offending = [s for _, s in strings if SQL_WORDS.search(s)]
    assert not offending, f"{path.name} holds SQL: {offending[:3]}"


@pytest.mark.parametrize("path", list(_python_files("perfdash", "ui", "app_pages")), ids=lambda p: str(p.relative_to(ROOT)))
def test_sql_is_never_built_with_fstrings(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\.(execute|sql|query)\(\s*f[\"']", text), f"{path} builds SQL with an f-string"


def test_core_imports_without_streamlit():
    modules = sorted(
        "perfdash." + str(p.relative_to(ROOT / "perfdash").with_suffix("")).replace("/", ".")
        for p in (ROOT / "perfdash").rglob("*.py")
        if p.name not in ("__main__.py", "__init__.py")
    )
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + (
        "bad = [m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')]\n"
        "print(len(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0", f"importing the core pulled in streamlit ({modules})"


@pytest.mark.parametrize("path", list(_python_files("perfdash", "app_pages", "ui")), ids=lambda p: str(p.relative_to(ROOT)))
def test_figures_are_created_with_the_project_template(path):
    """`go.Figure(` only in style.py; Plotly Express calls must pass template=style.TEMPLATE."""
    if path.name == "style.py":
        return
    text = path.read_text(encoding="utf-8")
    assert "go.Figure(" not in text, f"{path}: create figures with style.new_figure()"
    for call in re.finditer(r"\bpx\.\w+\(", text):
        end = text.find("\n)", call.end())
        snippet = text[call.start(): end if end > 0 else call.end() + 800]
        assert "template=style.TEMPLATE" in snippet, f"{path}: {call.group()} without template=style.TEMPLATE"


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r")):
                assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==[\w.]+$", line), f"{name}: unpinned {line!r}"


def test_every_rate_of_the_registry_has_long_rows_and_a_definitions_row(demo_db, app):
    """A rate id added to perfdash.metrics must reach unit_year_metric (or, per project,
    project_rate) and the definitions page — the one place its wording is read from."""
    from perfdash import metrics

    counts = dict(demo_db.con.execute(
        "SELECT metric, count(value) FROM unit_year_metric GROUP BY metric").fetchall())
    for metric_id in metrics.UNIT_RATE_IDS:
        assert counts.get(metric_id, 0) > 0, f"{metric_id}: no values in unit_year_metric on the demo data"
    assert demo_db.con.execute("SELECT count(project_execution_rate) FROM project_rate").fetchall()[0][0] > 0
    assert set(metrics.RATE_IDS) == {m.id for m in metrics.METRICS.values() if m.kind == "rate"}

    at = app(query_params={"year": "2022"})
    at.run()
    at.switch_page("app_pages/definitions.py").run()
    assert not at.exception
    table = at.table[0].value
    config = demo_db.config
    for metric_id in metrics.RATE_IDS:
        metric = metrics.METRICS[metric_id]
        assert metric.label in table.index, f"{metric_id} missing from the definitions page"
        assert table.loc[metric.label, "公式"] == metric.formula_for(config)

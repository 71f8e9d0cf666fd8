"""The house's layers, enforced from the code's own imports (including imports inside functions):
no import cycle in perfdash/, no Streamlit or ui/ in the core (the bench aside), modules and pages
of a readable size, no legacy `pages/` folder, and no query file that nothing loads."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from perfdash.store import sql

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "perfdash"
# The one core module allowed to import Streamlit and ui/: it times the pages as a user meets them.
UI_IMPORTS_ALLOWED = {"perfdash.bench"}
MAX_CORE_LINES = 600
MAX_PAGE_LINES = 250


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


CORE_MODULES = {_module_name(p): p for p in sorted(CORE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in the file; `from a import b` counts as a.b when a.b
    is a module of ours, else as a."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in CORE_MODULES else base)
    return found


GRAPH = {name: {m for m in _imports(path) if m in CORE_MODULES and m != name} for name, path in CORE_MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_is_read():
    """The walker sees imports inside functions too (cli imports the pack lazily)."""
    assert "perfdash.present.export" in GRAPH["perfdash.cli"]
    assert "perfdash.store.connection" in GRAPH["perfdash.derive.rates"]


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_has_no_import_cycle():
    assert _cycles(GRAPH) == []


@pytest.mark.parametrize("module", sorted(CORE_MODULES))
def test_the_core_imports_no_streamlit_and_no_ui(module):
    if module in UI_IMPORTS_ALLOWED:
        return
    bad = sorted(m for m in _imports(CORE_MODULES[module])
                 if m.split(".")[0] in ("streamlit", "ui", "app_pages"))
    assert not bad, f"{module} imports {bad}: the core must run without Streamlit"


def test_the_store_imports_nothing_above_it():
    allowed = ("perfdash.store", "perfdash.config", "perfdash.errors")
    for module, imported in GRAPH.items():
        if module.startswith("perfdash.store"):
            above = sorted(m for m in imported if not m.startswith(allowed))
            assert not above, f"{module} imports {above}"


@pytest.mark.parametrize("module", sorted(CORE_MODULES))
def test_core_modules_stay_readable(module):
    lines = len(CORE_MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_CORE_LINES, f"{module} has {lines} lines (at most {MAX_CORE_LINES})"


@pytest.mark.parametrize("page", sorted((ROOT / "app_pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_stay_thin(page):
    lines = len(page.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_PAGE_LINES, f"app_pages/{page.name} has {lines} lines (at most {MAX_PAGE_LINES})"


def test_no_legacy_pages_folder():
    """A folder named pages/ beside the entry script switches Streamlit to its old multipage mode."""
    assert not (ROOT / "pages").exists()
    registered = re.findall(r'st\.Page\("([^"]+)"', (ROOT / "dashboard.py").read_text(encoding="utf-8"))
    assert registered and all(p.startswith("app_pages/") for p in registered)
    assert sorted(registered) == sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))


def _code_text() -> str:
    files = [*(ROOT / "perfdash").rglob("*.py"), *(ROOT / "ui").rglob("*.py"),
             *(ROOT / "app_pages").rglob("*.py"), ROOT / "dashboard.py"]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


QUERY_NAME_IN_CODE = re.compile(r"[\"']([a-z_]+/[a-z0-9_]+)[\"']")


def test_every_query_file_is_loaded_by_the_code():
    """A query file nothing names is dead code (migrations are applied by number)."""
    text = _code_text()
    named = set(QUERY_NAME_IN_CODE.findall(text))
    # names built from a prefix and a kind, e.g. f"import/diff_{kind}"
    prefixes = set(re.findall(r"f[\"']([a-z_]+/[a-z_]*)\{", text))
    unused = [name for name in sql.all_names()
              if not name.startswith("schema/") and name not in named
              and not any(name.startswith(prefix) for prefix in prefixes)]
    assert not unused, f"query files nothing loads: {unused}"

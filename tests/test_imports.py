"""The import arrows of DESIGN.md: a package imports only the packages it may."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"crawler", "sentiment", "storage", "triage", "dashboard", "grapevine"}
ALLOWED = {
    "crawler": {"sentiment", "storage"},
    "sentiment": set(),
    "storage": set(),
    "triage": {"storage", "sentiment"},
    "dashboard": {"storage", "triage"},
    "grapevine": OURS - {"grapevine"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(OURS))
def test_imports_follow_the_design(package: str) -> None:
    wrong = []
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    for path in files:
        for target in imported_packages(path) - ALLOWED[package] - {package}:
            wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not wrong, "imports against DESIGN.md's arrows:\n" + "\n".join(wrong)


def test_the_checker_sees_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom grapevine.config import Settings\nimport storage.models\n")
    assert imported_packages(bad) == {"grapevine", "storage"}


def module_graph() -> dict[str, set[str]]:
    """Our modules and the modules of ours each one imports (at any depth of its code).

    ``from pkg import sub`` counts as an import of ``pkg.sub`` when ``sub`` is a module, as
    Python resolves it; a package's ``__init__`` run on the way is not counted.
    """
    modules: dict[str, Path] = {}
    for package in OURS:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.append(sub if sub in modules else node.module)
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    found = cycles(module_graph())
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)


def test_the_cycle_finder_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


#: SQLAlchemy/SQLModel names that build a query: triage/ calls storage/ for those (DESIGN:
#: all SQL lives in storage/, triage/ holds the policy).
QUERY_CONSTRUCTS = {"select", "insert", "update", "delete", "func", "exists", "text"}
#: The HTTP clients of other services (their ``delete`` is a request, not SQL).
NOT_POLICY = ("triage/connectors/", "triage/helpdesk/rt.py", "triage/helpdesk/zendesk.py",
              "triage/helpdesk/freshdesk.py", "triage/helpdesk/http.py")  # fmt: skip
#: Modules of triage/ whose queries have not moved to storage/ yet (keep it short; empty now).
SQL_NOT_MOVED_YET: set[str] = set()


def query_constructs(path: Path) -> list[str]:
    """The SQLAlchemy/SQLModel query constructs a module imports or reaches through a module
    it imported (``from sqlalchemy.dialects import sqlite`` … ``sqlite.insert``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    sql_modules: set[str] = set()
    found = []

    def ours(module: str | None) -> bool:
        return (module or "").split(".")[0] in ("sqlalchemy", "sqlmodel")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and ours(node.module):
            for alias in node.names:
                if alias.name in QUERY_CONSTRUCTS:
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                else:
                    sql_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if ours(alias.name):
                    sql_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in QUERY_CONSTRUCTS
            and isinstance(node.value, ast.Name)
            and node.value.id in sql_modules
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_triage_leaves_the_sql_to_storage() -> None:
    wrong, moved = [], []
    for path in sorted((ROOT / "triage").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith(NOT_POLICY):
            continue
        found = query_constructs(path)
        if name in SQL_NOT_MOVED_YET:
            if not found:
                moved.append(name)
            continue
        wrong += [f"{name} {what}" for what in found]
    assert not wrong, "SQL in triage/ (move it to a storage/ function):\n" + "\n".join(wrong)
    assert not moved, "no SQL left, take them off SQL_NOT_MOVED_YET: " + ", ".join(moved)


def test_the_sql_checker_sees_a_query(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from sqlalchemy import Engine, func\nfrom sqlmodel import select, col\n"
        "from sqlalchemy.dialects import sqlite\nimport sqlalchemy as sa\n"
        "stmt = sqlite.insert(T)\nq = sa.text('SELECT 1')\nengine: Engine\n"
    )
    found = query_constructs(bad)
    assert [f.split(": ")[1] for f in found] == [
        "from sqlalchemy import func",
        "from sqlmodel import select",
        "sqlite.insert",
        "sa.text",
    ]

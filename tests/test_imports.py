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

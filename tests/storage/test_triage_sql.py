"""The storage functions triage calls for its SQL take a connection or session first and
everything else by keyword (DESIGN: "keyword-only functions taking a connection or session")."""

import importlib
import inspect
import sys
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlmodel import Session

#: The storage modules that hold the queries moved out of triage/.
MODULES = (
    "storage.alerts",
    "storage.case_records",
    "storage.cases",
    "storage.customers",
    "storage.followups",
    "storage.links",
    "storage.opening",
)


def wrong_signatures(module_name: str) -> list[str]:
    """Public functions of the module whose first parameter is not a Connection or Session,
    or whose other parameters can be passed by position."""
    module = importlib.import_module(module_name)
    wrong = []
    for name, func in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or func.__module__ != module_name:
            continue
        params = list(inspect.signature(func).parameters.values())
        first = params[0] if params else None
        if first is not None and first.annotation in (Connection, Session):
            rest = params[1:]
        else:
            rest = params  # builds a clause (no database access): keywords only
        if any(p.kind is not inspect.Parameter.KEYWORD_ONLY for p in rest):
            wrong.append(f"{module_name}.{name}{inspect.signature(func)}")
    return wrong


@pytest.mark.parametrize("module_name", MODULES)
def test_storage_functions_take_a_connection_and_keywords(module_name: str) -> None:
    assert not wrong_signatures(module_name)


def test_the_signature_check_sees_a_positional_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fake_storage.py").write_text(
        "from sqlalchemy import Connection\n"
        "def good(conn: Connection, *, case_id: int) -> None: ...\n"
        "def bad(conn: Connection, case_id: int) -> None: ...\n"
        "def clause(column: int) -> None: ...\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "fake_storage", raising=False)
    found = [w.split("(")[0] for w in wrong_signatures("fake_storage")]
    assert found == ["fake_storage.bad", "fake_storage.clause"]

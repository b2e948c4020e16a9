"""Dashboard fixtures: settings handed over as ``grapevine dashboard`` does, an AppTest."""

import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.settings import SETTINGS_ENV, DashboardSettings
from tests.dashboard.seed import seed_desk

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py")
PAGES = ["queue", "case", "health", "follow_ups", "customers", "sources", "settings"]


@pytest.fixture(autouse=True)
def _main_module_restored():
    """AppTest runs the script as ``__main__``; put the real one back, or a later test's
    spawned child process (``multiprocessing`` "spawn") would re-run the Streamlit script."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture
def app(sqlite_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Make an AppTest of the dashboard on ``sqlite_engine``'s database.

    ``make(settings={...}, **session_state)``: settings override the defaults (brand
    Larkwood Coffee, one support-queue target ``helpdesk``, no users).
    """
    return _maker(sqlite_engine, tmp_path, monkeypatch)


@pytest.fixture
def app_on(engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """:func:`app` on ``engine`` (SQLite and PostgreSQL), for what only PostgreSQL refuses."""
    return _maker(engine, tmp_path, monkeypatch)


def _maker(engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    url = engine.url.render_as_string(hide_password=False)
    made = itertools.count()

    def make(settings: dict[str, Any] | None = None, **session_state: object) -> AppTest:
        values: dict[str, Any] = {
            "database_url": url,
            "brand": "Larkwood Coffee",
            "competitors": ["Beanstalk Roasters"],
            "sources": ["review-site", "forums"],
            "targets": ["helpdesk"],
            "aspects": ["billing", "customer service", "delivery", "product quality"],
            "order_number_pattern": r"\b(LW-\d{6})\b",
        }
        values.update(settings or {})
        # a new file each time: the app caches the settings per file, as it may
        handover = DashboardSettings(**values).write(tmp_path / f"settings-{next(made)}.json")
        monkeypatch.setenv(SETTINGS_ENV, str(handover))
        test = AppTest.from_file(APP, default_timeout=30)
        for key, value in session_state.items():
            test.session_state[key] = value
        return test

    return make


@pytest.fixture
def seeded(sqlite_engine) -> dict[str, int]:
    """The database of ``sqlite_engine`` with a small desk in it (see ``seed.py``)."""
    return seed_desk(sqlite_engine)


def open_page(test: AppTest, page: str, **query: str) -> AppTest:
    """Run the app, then switch to ``page`` (with query parameters) and run it."""
    test.run()
    for key, value in query.items():
        test.query_params[key] = value
    if page != "queue":
        test.switch_page(f"app_pages/{page}.py")
        for key, value in query.items():
            test.query_params[key] = value
        test.run()
    return test


@pytest.fixture
def seeded_on(engine) -> dict[str, int]:
    """:func:`seeded` on ``engine`` (SQLite and PostgreSQL)."""
    return seed_desk(engine)

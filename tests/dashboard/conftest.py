"""Dashboard fixtures: settings handed over as ``grapevine dashboard`` does, an AppTest."""

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.settings import SETTINGS_ENV, DashboardSettings

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py")


@pytest.fixture
def app(sqlite_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Make an AppTest of the dashboard on ``sqlite_engine``'s database."""
    url = sqlite_engine.url.render_as_string(hide_password=False)
    handover = DashboardSettings(database_url=url, brand="Larkwood Coffee").write(
        tmp_path / "s.json"
    )
    monkeypatch.setenv(SETTINGS_ENV, str(handover))

    def make(**session_state: object) -> AppTest:
        test = AppTest.from_file(APP, default_timeout=30)
        for key, value in session_state.items():
            test.session_state[key] = value
        return test

    return make

"""Shared resources of the dashboard: its settings and the database engine (cached)."""

import os

import streamlit as st
from sqlalchemy import Engine

from dashboard.auth import Person, current
from dashboard.settings import SETTINGS_ENV, DashboardSettings
from storage import make_engine


@st.cache_resource(show_spinner=False)
def _settings(path: str) -> DashboardSettings:
    return DashboardSettings.read(path)


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return make_engine(url)


def settings() -> DashboardSettings:
    """The dashboard's settings; stops the page with a clear message when there are none."""
    path = os.environ.get(SETTINGS_ENV)
    if not path:
        st.error(
            "The dashboard has no settings. Start it with `grapevine dashboard "
            "--config grapevine.toml`."
        )
        st.stop()
    try:
        return _settings(path)
    except (OSError, ValueError) as exc:
        st.error(f"Cannot read the dashboard settings ({path}): {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def engine() -> Engine:
    """The process-wide engine for the configured database."""
    return _engine(settings().database_url)


def person() -> Person:
    """Who uses this session (the entry script has made sure somebody does)."""
    found = current(settings())
    if found is None:  # a page run without the entry script's sign-in
        st.error("Please sign in.")
        st.stop()
        raise RuntimeError("unreachable")
    return found


def read_only_notice(who: Person) -> None:
    """Say once per page why the actions are greyed out for a viewer."""
    if not who.can_work:
        st.info("You have read access (viewer): the actions are disabled.", icon=":material/lock:")

"""The learned models on the Settings page (admins): which one scores each language, the
before/after figures of each trained one, and a control to switch back (roll back).

Reads and writes through :mod:`storage.model_registry`; switching rescores nothing — the
page says which command does.
"""

from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard.auth import Person
from storage import model_registry as registry

SHIPPED = "shipped"


def _agreement(metrics: dict[str, Any], when: str) -> str:
    value = (metrics.get(when) or {}).get("agreement")
    return f"{value:.0%}" if isinstance(value, int | float) else "—"


def _shipped_names(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The shipped model of each language the registry refit (the root of its chain)."""
    versions = {row["version"] for row in rows}
    return {row["lang"]: row["parent"] for row in rows if row["parent"] not in versions}


def render(engine: Engine, who: Person) -> None:
    """The models table and, for admins, the switch."""
    st.subheader("Learned models")
    with engine.connect() as conn:
        rows = registry.list_model_versions(conn)
    if not rows:
        st.caption(
            "Every language is scored by the model shipped with its language pack. "
            "Train one on the desk's decisions with `grapevine model train --from-desk`."
        )
        return
    shipped = _shipped_names(rows)
    active = {row["lang"] for row in rows if row["active"]}
    table = [
        {
            "Model": row["version"],
            "Language": row["lang"],
            "Trained": row["created_at"].astimezone().strftime("%Y-%m-%d %H:%M"),
            "From": row["parent"],
            "Held-back decisions": row["metrics"].get("held_back", 0),
            "Agreement before": _agreement(row["metrics"], "before"),
            "Agreement after": _agreement(row["metrics"], "after"),
            "In use": "yes" if row["active"] else "",
        }
        for row in rows
    ]
    table += [
        {"Model": name, "Language": lang, "From": "the language pack", "In use": ""}
        | ({"In use": "yes"} if lang not in active else {})
        for lang, name in sorted(shipped.items())
    ]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    if not who.is_admin:
        return
    choices = [f"{row['version']} ({row['lang']})" for row in rows]
    choices += [f"{name} ({lang}, {SHIPPED})" for lang, name in sorted(shipped.items())]
    with st.form("model_switch"):
        choice = st.selectbox("Score with", choices, key="model_switch_choice")
        switch = st.form_submit_button("Switch model")
    if switch and choice:
        version, rest = choice.split(" (", 1)
        lang = rest.split(",")[0].rstrip(")")
        with engine.begin() as conn:
            registry.activate(conn, version=version, lang=lang, actor=who.name)
        st.success(
            f"{version} now scores new {lang} mentions. Stored mentions keep their scores "
            "until `grapevine model rescore --open-cases` (or without the flag: all)."
        )

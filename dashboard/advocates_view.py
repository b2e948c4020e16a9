"""The Advocates page's pieces: the cached list, the table, a person's facts, the actions.

Everything a stranger wrote (names, text, aspects, URLs) goes through :mod:`dashboard.display`
and is shown as text or in dataframe cells, never as Markdown.
"""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import actions, context, display, loaders
from dashboard.auth import Person
from storage.types import utcnow
from triage import advocacy

TTL = 60
KINDS = {kind: label for kind, (label, _key) in advocacy.ACTIONS.items()}


@st.cache_data(ttl=TTL, show_spinner=False)
def _advocates(url: str, days: int, until: datetime) -> list[dict[str, Any]]:
    return advocacy.advocates(context.engine(), days=days, until=until)


def advocates(days: int) -> list[dict[str, Any]]:
    """The ranked happy mentions of the last ``days`` days (cached a minute)."""
    # up to the end of this minute: a cache key that stays the same across quick reruns
    until = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)
    return _advocates(context.settings().database_url, days, until)


def money(value: float | None) -> str:
    """A lifetime value as ``5,400``; empty when unknown."""
    return f"{value:,.0f}" if value else ""


def who(row: dict[str, Any]) -> str:
    """The customer's name when linked, else the author as they signed."""
    return display.preview(row.get("customer_name") or row.get("author") or "(anonymous)", 60)


def known(row: dict[str, Any]) -> str:
    """``customer`` (confirmed link), ``customer?`` (suggested) or empty."""
    return {"confirmed": "customer", "suggested": "customer?"}.get(row.get("link_status") or "", "")


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One line per happy mention, for the list."""
    return pd.DataFrame(
        [
            {
                "Who": who(row),
                "Known": known(row),
                "Tier": display.clean(row.get("tier")),
                "Lifetime value": money(row.get("lifetime_value")),
                "Came back happier": "yes" if row.get("came_back") else "",
                "Loved": display.preview(", ".join(row.get("aspects") or []), 60),
                "Rating": display.stars(row.get("rating")),
                "Reach": f"{row['reach']:,}" if row.get("reach") else "",
                "Source": row.get("source"),
                "Published": display.as_local(row.get("published_at")),
                "Done": ", ".join(KINDS.get(k, k) for k in row.get("done") or []),
            }
            for row in rows
        ],
        columns=[
            "Who",
            "Known",
            "Tier",
            "Lifetime value",
            "Came back happier",
            "Loved",
            "Rating",
            "Reach",
            "Source",
            "Published",
            "Done",
        ],
    )


def facts(row: dict[str, Any]) -> str:
    """Who they are and where they said it, as plain text lines."""
    lines = [f"Author: {display.clean(row.get('author')) or '-'}"]
    if row.get("customer_id"):
        status = (
            "confirmed" if row.get("link_status") == "confirmed" else "suggested, not confirmed"
        )
        lines.append(f"Customer: {display.clean(row.get('customer_name')) or '-'} ({status} link)")
        if row.get("tier"):
            lines.append(f"Tier: {display.clean(row['tier'])}")
        if row.get("lifetime_value"):
            lines.append(f"Lifetime value: {money(row['lifetime_value'])}")
    else:
        lines.append("Customer: not a known customer (yet)")
    if row.get("came_back"):
        back = row["came_back"]
        lines.append(
            f"Came back happier: case #{back['case_id']} resolved "
            f"{display.local(back['resolved_at'])}"
        )
    lines.append(f"Loved: {advocacy.loved(row.get('aspects'))}")
    if row.get("reach"):
        lines.append(f"Reach: {row['reach']:,} followers/likes")
    lines.append(f"Source: {display.clean(row.get('source'))}")
    lines.append(f"Published: {display.local(row.get('published_at'))} ({display.zone_name()})")
    if row.get("rating") is not None:
        lines.append(f"Rating: {display.stars(row['rating'])}")
    return "\n".join(lines)


def original(row: dict[str, Any]) -> None:
    """A button to the original when its address is http(s), with the address as text."""
    url = display.safe_url(row.get("url"))
    if url:
        st.link_button("Open the original", url, icon=":material/open_in_new:")
        st.text(f"Address: {url}")
    elif row.get("url"):
        st.text(f"Original address (not a web link, not opened): {display.clean(row['url'])}")


def responder(person: Person) -> str | None:
    """The responder's name for the signature (none for the anonymous local user)."""
    return None if person.name == "local user" else person.name


def action_panel(row: dict[str, Any], person: Person) -> None:
    """Pick an action; get the message filled in; record it on the customer's timeline."""
    settings = context.settings()
    folder = Path(settings.templates_dir) if settings.templates_dir else None
    templates = advocacy.load_templates(folder)
    key = f"adv_action_{row['id']}"
    st.session_state.setdefault(key, "thanked")  # kept across pages: no default=
    kind = st.segmented_control(
        "Action", list(advocacy.ACTIONS), format_func=KINDS.__getitem__, key=key
    )
    kind = kind or "thanked"
    template = templates[advocacy.ACTIONS[kind][1]]
    text = advocacy.reply(template, row, brand=settings.brand, responder=responder(person))
    st.code(text, language=None, wrap_lines=True)
    st.caption(
        "Copy it (icon at the top right), adapt it where you answer, then record it here. "
        "[placeholders] are what Grapevine could not fill in."
    )
    if st.button(
        f"Record “{KINDS[kind]}” on the timeline",
        key=f"btn_adv_record_{row['id']}",
        disabled=not person.can_work,
        type="primary",
    ):
        advocacy.record(context.engine(), row, kind=kind, actor=person.name, message=text)
        _advocates.clear()
        loaders.changed()
        whom = "the customer's timeline" if row.get("customer_id") else "the mention"
        actions.flash(f"Recorded on {whom}.")
        st.rerun()

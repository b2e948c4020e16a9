"""The triage queue's parts: the views and filters, the table with its selection, bulk actions.

Filters live in session-state keys starting ``q_`` (kept across pages by the entry script).
The selected case ids live in ``st.session_state["queue_selected"]``; a test can preset it.
"""

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import actions, display, loaders
from dashboard.auth import Person
from dashboard.settings import DashboardSettings
from storage import views as views_store
from storage.models import CASE_STATUSES, OPEN_CASE_STATUSES
from storage.queries import QUEUE_COUNT_CAP, QUEUE_SORTS, UNASSIGNED, QueueFilter
from storage.types import utcnow
from triage.cases import Change

SELECTED = "queue_selected"
ROW_IDS = "queue_row_ids"
SIGNATURE = "queue_signature"
PAGE = "q_page"
PAGE_SIZE = 50

VIEWS = {
    "open": "All open",
    "overdue": "Overdue",
    "soon": "Due within 24 h",
    "unassigned": "Unassigned",
    "mine": "Mine",
    "all": "Everything",
}
SORT_NAMES = {
    "priority": "Priority",
    "due": "Due soonest",
    "newest": "Newest mention",
    "oldest": "Oldest case",
}
#: The order the table is in, as the line above it says it.
ORDER = {
    "priority": "highest priority first",
    "due": "due soonest first",
    "newest": "newest mention first",
    "oldest": "oldest case first",
}
BRANDS = {"any": "Any", "own": "Own brand", "competitor": "Competitors"}
LINKED = {"any": "Any", "yes": "Linked to a customer", "no": "Not linked"}
NOBODY = "(nobody)"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filter_bar(opts: dict[str, list[str]], who: Person) -> QueueFilter:
    """The view switch, search and filter widgets; returns the filter they describe."""
    # the starting values go in the session, not in ``default=``: the entry script keeps the
    # q_ keys across pages through the Session State API, and a widget with both warns
    st.session_state.setdefault("q_view", "open")
    views, saved, manage = st.columns([7, 3, 1.4], vertical_alignment="center")
    saved_views_bar(who, saved, manage)
    views.segmented_control(
        "View",
        list(VIEWS),
        format_func=VIEWS.__getitem__,
        key="q_view",
        label_visibility="collapsed",
    )
    search, sort, more = st.columns([6, 2, 1], vertical_alignment="center")
    search.text_input(
        "Search",
        key="q_text",
        placeholder="Search words in the mention or author, or #123 for a case",
        help='Whole words, any case. "never arrived" finds the words in a row, deliver* '
        "every word starting with deliver.",
        label_visibility="collapsed",
    )
    sort.selectbox(
        "Sort",
        QUEUE_SORTS,
        format_func=SORT_NAMES.__getitem__,
        key="q_sort",
        label_visibility="collapsed",
    )
    # the filter widgets are drawn only when asked for (a lighter landing page); their
    # values live on in the session either way
    if more.toggle("Filters", key="q_show_filters"):
        _filter_widgets(opts)
    else:
        active = _active_filters()
        if active:
            note, clear = st.columns([6, 1], vertical_alignment="center")
            note.caption("Filtered by " + display.md_escape("; ".join(active)))
            clear.button("Clear filters", key="btn_clear_filters", on_click=_clear_filters)
    return current_filter(who)


def current_filter(who: Person) -> QueueFilter:
    """The filter the queue's widgets describe, read from the session (the case page steps
    through the queue with it, without drawing the widgets)."""
    view = st.session_state.get("q_view") or "open"
    statuses = tuple(st.session_state.get("q_status") or ())
    if not statuses:
        statuses = CASE_STATUSES if view == "all" else OPEN_CASE_STATUSES
    assignees = tuple(
        UNASSIGNED if a == NOBODY else a for a in st.session_state.get("q_assignees") or ()
    )
    if view == "unassigned":
        assignees = (UNASSIGNED,)
    elif view == "mine":
        assignees = (who.name,)
    dates = tuple(st.session_state.get("q_dates") or ())
    linked = st.session_state.get("q_linked") or "any"
    return QueueFilter(
        statuses=statuses,
        sources=tuple(st.session_state.get("q_sources") or ()),
        aspects=tuple(st.session_state.get("q_aspects") or ()),
        assignees=assignees,
        brand=st.session_state.get("q_brand") or "any",
        linked=None if linked == "any" else linked == "yes",
        published_from=_day_start(dates[0]) if dates else None,
        published_to=_day_start(dates[-1]) + timedelta(days=1) if dates else None,
        text=str(st.session_state.get("q_text") or ""),
        due=view if view in ("overdue", "soon") else "any",
        sort=st.session_state.get("q_sort") or "priority",
    )


FILTER_KEYS = (
    "q_status",
    "q_sources",
    "q_aspects",
    "q_assignees",
    "q_brand",
    "q_linked",
    "q_dates",
)


def _filter_widgets(opts: dict[str, list[str]]) -> None:
    left, middle, right = st.columns(3)
    left.multiselect(
        "Status",
        CASE_STATUSES,
        format_func=display.status_name,
        key="q_status",
        placeholder="Open statuses",
    )
    left.multiselect("Source", opts["sources"], key="q_sources", placeholder="Any source")
    middle.multiselect("Aspect", opts["aspects"], key="q_aspects", placeholder="Any aspect")
    middle.multiselect(
        "Assignee", [NOBODY, *opts["assignees"]], key="q_assignees", placeholder="Anyone"
    )
    right.selectbox("Brand", list(BRANDS), format_func=BRANDS.__getitem__, key="q_brand")
    right.selectbox("Customer", list(LINKED), format_func=LINKED.__getitem__, key="q_linked")
    st.session_state.setdefault("q_dates", [])
    st.date_input("Published between", key="q_dates", format="YYYY-MM-DD")


def _active_filters() -> list[str]:
    state = st.session_state
    active = []
    for key, label in (
        ("q_status", "status"),
        ("q_sources", "source"),
        ("q_aspects", "aspect"),
        ("q_assignees", "assignee"),
    ):
        if state.get(key):
            active.append(f"{label}: " + ", ".join(display.status_name(v) for v in state[key]))
    if state.get("q_brand", "any") != "any":
        active.append(BRANDS[state["q_brand"]].lower())
    if state.get("q_linked", "any") != "any":
        active.append(LINKED[state["q_linked"]].lower())
    if state.get("q_dates"):
        active.append("published " + " to ".join(f"{d:%Y-%m-%d}" for d in state["q_dates"]))
    return active


def _clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


#: What a saved view keeps: the view switch, the search, the filters and the sort.
VIEW_KEYS = ("q_view", "q_text", "q_sort", *FILTER_KEYS)
PICKED_VIEW = "q_saved_view"


def view_state() -> dict[str, Any]:
    """The queue's settings as a saved view stores them (dates as ISO text)."""
    state: dict[str, Any] = {}
    for key in VIEW_KEYS:
        value = st.session_state.get(key)
        if value in (None, "", [], ()):
            continue
        if key == "q_dates":
            value = [d.isoformat() for d in value]
        elif isinstance(value, tuple):
            value = list(value)
        state[key] = value
    return state


def apply_view(filters: dict[str, Any]) -> None:
    """Set the queue's widgets to a saved view (before they are drawn: a callback)."""
    for key in VIEW_KEYS:
        st.session_state.pop(key, None)
    for key, value in filters.items():
        if key not in VIEW_KEYS:
            continue
        if key == "q_dates":
            value = [date.fromisoformat(d) for d in value]
        st.session_state[key] = value
    st.session_state.setdefault("q_view", "open")
    st.session_state[PAGE] = 0


def saved_views_bar(who: Person, pick: Any, manage: Any) -> None:
    """Pick one of your saved views (in ``pick``); save the current settings under a name
    or delete the picked view (a popover in ``manage``)."""
    views = loaders.saved_views(who.name)
    picked = st.session_state.get(PICKED_VIEW)
    if picked not in views:
        st.session_state.pop(PICKED_VIEW, None)
        picked = None

    def picked_changed() -> None:
        name = st.session_state.get(PICKED_VIEW)
        if name in views:
            apply_view(views[name])

    pick.selectbox(
        "Your saved views",
        list(views),
        index=None,
        key=PICKED_VIEW,
        placeholder="Your saved views" if views else "No saved view yet",
        on_change=picked_changed,
        label_visibility="collapsed",
        disabled=not views,
    )
    with manage.popover("Views", icon=":material/bookmarks:", width="stretch"):
        name = st.text_input(
            "Save these filters and sort as",
            key="q_view_name",
            max_chars=views_store.NAME_MAX,
            placeholder="e.g. Billing, unassigned",
        )
        if st.button("Save view", key="btn_save_view", disabled=not name.strip()):
            outcome = actions.save_view(who, name, view_state())
            actions.flash(outcome.message, "success" if outcome.ok else "error")
            st.rerun()
        if picked and st.button(f"Delete “{picked}”", key="btn_delete_view"):
            outcome = actions.delete_view(who, str(picked))
            actions.flash(outcome.message, "success" if outcome.ok else "error")
            st.session_state.pop(PICKED_VIEW, None)
            st.rerun()


def track_view(filters: QueueFilter) -> str:
    """Reset the page and the selection when the filters change; the table's widget key."""
    signature = hashlib.sha1(repr(filters).encode(), usedforsecurity=False).hexdigest()[:12]
    previous = st.session_state.get(SIGNATURE)
    if previous is not None and previous != signature:
        st.session_state[PAGE] = 0
        st.session_state[SELECTED] = []
    st.session_state[SIGNATURE] = signature
    return f"queue_table_{signature}_{st.session_state.get(PAGE, 0)}"


#: The columns a triager decides by, in reading order, and their widths in pixels: all of
#: them fit a 1280 px screen with no sideways scrolling (the browser test measures it). The
#: author, brand, publication time and the link to the original are on the case page.
COLUMNS = {
    "Priority": 64,
    "Case": 60,
    "Status": 136,
    "Due": 100,
    "Source": 116,
    "Rating": 80,
    "Said": 208,  # at least; it takes the width a wider screen has to spare
    "Aspects": 120,
    "Assignee": 90,
    "Customer": 104,
}


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The queue rows as the table shows them (untrusted text as plain cell values)."""
    now = utcnow()
    return pd.DataFrame(
        [
            {
                "Priority": row["priority"],
                "Case": row["id"],
                "Status": display.status_name(row["status"]),
                "Due": display.sla(row["due_at"], row["first_action_at"], row["status"], now),
                "Source": row["source"],
                "Rating": display.stars(row["rating"]),
                "Said": display.preview(
                    ("competitor: " if row["is_competitor"] else "")
                    + (row["title"] + " — " if row["title"] else "")
                    + (row["text"] or "")
                ),
                "Aspects": ", ".join(row["aspects"] or []),
                "Assignee": row["assignee"] or "",
                "Customer": display.preview(row["customer"], 40)
                if row["customer"]
                else (f"{row['suggestions']} to check" if row["suggestions"] else ""),
            }
            for row in rows
        ],
        columns=list(COLUMNS),
    )


def _selection_changed(key: str) -> None:
    state = st.session_state.get(key) or {}
    positions = (state.get("selection") or {}).get("rows") or []
    ids = st.session_state.get(ROW_IDS) or []
    st.session_state[SELECTED] = [ids[i] for i in positions if 0 <= i < len(ids)]


def table(rows: list[dict[str, Any]], key: str) -> None:
    """The queue table; selecting rows fills ``queue_selected`` with their case ids."""
    st.session_state[ROW_IDS] = [row["id"] for row in rows]
    st.dataframe(
        frame(rows),
        key=key,
        on_select=lambda: _selection_changed(key),
        selection_mode="multi-row",
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 38 + 35 * 15),
        column_config={
            **{name: st.column_config.Column(width=px) for name, px in COLUMNS.items() if px},
            "Priority": st.column_config.NumberColumn(
                format="%.2f", width=COLUMNS["Priority"], help="Negativity × reach × value × age"
            ),
            "Case": st.column_config.NumberColumn(format="#%d", width=COLUMNS["Case"]),
            "Due": st.column_config.TextColumn(
                width=COLUMNS["Due"], help="The first response against the service level"
            ),
        },
    )


def count_text(total: int) -> str:
    """How many cases, as the page says it: a search counts to QUEUE_COUNT_CAP, then "1,000+"."""
    return f"{QUEUE_COUNT_CAP:,}+" if total > QUEUE_COUNT_CAP else f"{total:,}"


def pager(total: int) -> None:
    """Previous/next page buttons and where we are."""
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(st.session_state.get(PAGE, 0), pages - 1)
    st.session_state[PAGE] = page
    first = page * PAGE_SIZE + 1 if total else 0
    last = min(total, (page + 1) * PAGE_SIZE)
    left, middle, right = st.columns([1, 4, 1])
    if left.button("‹ Previous", key="btn_queue_prev", disabled=page == 0):
        st.session_state[PAGE] = page - 1
        st.rerun()
    more = "+" if total > QUEUE_COUNT_CAP else ""
    middle.caption(
        f"Page {page + 1} of {pages}{more} · cases {first}–{last} of {count_text(total)}"
    )
    if right.button("Next ›", key="btn_queue_next", disabled=page >= pages - 1):
        st.session_state[PAGE] = page + 1
        st.rerun()


def bulk_bar(who: Person, settings: DashboardSettings, people: list[str]) -> None:
    """What to do with the selected cases: open one, assign, change status, send."""
    selected: list[int] = list(st.session_state.get(SELECTED) or [])
    if not selected:
        st.caption("Select rows (the boxes on the left) to open a case or act on several.")
        return
    shown = ", ".join(f"#{i}" for i in selected[:12]) + (" …" if len(selected) > 12 else "")
    st.write(f"**{len(selected)} selected:** {shown}")
    if len(selected) == 1 and st.button(
        f"Open case #{selected[0]}",
        type="primary",
        key="btn_open_case",
        icon=":material/open_in_new:",
    ):
        st.session_state["case_id"] = selected[0]
        st.switch_page("app_pages/case.py", query_params={"case": str(selected[0])})
    locked = not who.can_work
    with st.form("bulk", border=True):
        st.caption("Act on every selected case")
        assign_col, status_col, send_col = st.columns(3)
        assignee = assign_col.selectbox(
            "Assign to",
            [who.name, *[p for p in people if p != who.name], NOBODY],
            disabled=locked,
            accept_new_options=True,
        )
        assign = assign_col.form_submit_button("Assign", disabled=locked)
        status = status_col.selectbox(
            "Status", CASE_STATUSES, format_func=display.status_name, disabled=locked
        )
        reason = status_col.text_input("Reason (to dismiss)", disabled=locked)
        set_status = status_col.form_submit_button("Set status", disabled=locked)
        target = send_col.selectbox(
            "Support queue",
            settings.targets,
            disabled=locked or not settings.targets,
            placeholder="No targets configured",
        )
        send = send_col.form_submit_button(
            "Send to support queue", disabled=locked or not settings.targets
        )
        send_col.caption("Sent with the next `grapevine export` / run / scheduler tick.")
    if assign:
        change = Change(unassign=True) if assignee == NOBODY else Change(assignee=assignee)
        _report("assigned", *actions.bulk(selected, who, change))
    elif set_status:
        _report(
            f"set to {display.status_name(status)}",
            *actions.bulk(selected, who, Change(status=status, dismissed_reason=reason or None)),
        )
    elif send and target:
        _report(f"queued for {target}", *actions.send(selected, target, who))


def _report(what: str, done: int, problems: list[str]) -> None:
    message = f"{done} case{'s' if done != 1 else ''} {what}."
    if problems:
        actions.flash(message + " Not changed: " + "; ".join(problems[:10]), "warning")
    else:
        actions.flash(message)
    st.session_state[SELECTED] = []
    st.rerun()

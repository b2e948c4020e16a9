"""The case page's working side: assign, status, note, action, follow-up; replies; sending.

Optimistic locking as a person sees it: the version of the case they opened is kept in the
session (``case_seen_<id>``); a save names that version, so if someone else saved in between
the save is refused, the current state is shown, and nothing is overwritten.
"""

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import actions, context, display
from dashboard.auth import Person
from dashboard.settings import DashboardSettings
from storage.casefile import CaseFile
from storage.models import Case
from triage.cases import ACTIONS, TRANSITIONS, Change, next_follow_up
from triage.export.ledger import exports_for_case
from triage.links import links_for_mention
from triage.templates import load_templates, render, suggest

NO_ACTION = "—"
NOBODY = "(nobody)"


def seen_key(case_id: int) -> str:
    """Session key of the case version this person is working from."""
    return f"case_seen_{case_id}"


def seen_version(case: Case) -> int:
    """The version this person opened (set on first sight)."""
    key = seen_key(case.id or 0)
    if key not in st.session_state:
        st.session_state[key] = case.version
    return int(st.session_state[key])


def stale_notice(case: Case) -> None:
    """When the case moved on since the person opened it: say so, show it as it is now,
    and let them take the current state (a fresh form) before saving again."""
    seen = seen_version(case)
    if case.version == seen:
        return
    st.warning(
        f"Someone else changed this case since you opened it (version {seen} → "
        f"{case.version}). A save based on what you saw is refused, so nothing is "
        "overwritten. This is the case now:"
    )
    st.dataframe(
        pd.DataFrame(
            [
                {"": "Status", "Now": display.status_name(case.status)},
                {"": "Assignee", "Now": case.assignee or "nobody"},
                {"": "Action taken", "Now": case.action_taken or ""},
                {"": "Follow-up", "Now": display.local(case.follow_up_at, "%Y-%m-%d")},
                {"": "Changed", "Now": display.local(case.updated_at)},
                {"": "Version", "Now": str(case.version)},
            ]
        ),
        hide_index=True,
        key=f"stale_{case.id}",
    )
    if st.button("Take the current state", key=f"btn_take_current_{case.id}", type="primary"):
        cid = case.id or 0
        st.session_state[seen_key(cid)] = case.version
        st.session_state[f"case_form_gen_{cid}"] = _generation(cid) + 1
        st.rerun()


def _generation(case_id: int) -> int:
    return int(st.session_state.get(f"case_form_gen_{case_id}", 0))


def work_form(cf: CaseFile, who: Person, settings: DashboardSettings, people: list[str]) -> None:
    """One form to assign, move the status, note, record the action and set a follow-up."""
    case = cf.case
    cid = case.id or 0
    gen = _generation(cid)
    # the widgets belong to the version the person works from: after their own save, a
    # "take it", or taking someone else's changes, the form starts again from the case
    stamp = f"{cid}_{seen_version(case)}_{gen}"
    locked = not who.can_work
    statuses = [case.status, *TRANSITIONS.get(case.status, ())]
    owners = list(dict.fromkeys([*([case.assignee] if case.assignee else []), who.name, *people]))
    with st.form(f"work_{stamp}", border=True):
        st.markdown("**Work this case**")
        left, right = st.columns(2)
        assignee = left.selectbox(
            "Assignee",
            [*owners, NOBODY] if case.assignee else [NOBODY, *owners],
            key=f"cw_{stamp}_assignee",
            disabled=locked,
            accept_new_options=True,
        )
        status = right.selectbox(
            "Status",
            statuses,
            format_func=display.status_name,
            key=f"cw_{stamp}_status",
            disabled=locked,
        )
        reason = st.text_input(
            "Reason (needed to dismiss)", key=f"cw_{stamp}_reason", disabled=locked
        )
        action = st.selectbox(
            "Action taken",
            [NO_ACTION, *ACTIONS],
            key=f"cw_{stamp}_action",
            disabled=locked,
        )
        note = st.text_area("Note", key=f"cw_{stamp}_note", disabled=locked, height=80)
        follow_up = st.date_input(
            "Follow-up on",
            value=None,
            min_value=date.today(),
            key=f"cw_{stamp}_follow_up",
            disabled=locked,
            help="Left empty when resolving: the first review is set "
            f"{settings.follow_up_days[0] if settings.follow_up_days else 30} days out.",
        )
        saved = st.form_submit_button("Save", type="primary", disabled=locked)
    if not saved:
        return
    change = Change(
        status=status if status != case.status else None,
        assignee=assignee if assignee not in (NOBODY, case.assignee) else None,
        unassign=assignee == NOBODY and case.assignee is not None,
        note=note or None,
        action=action if action != NO_ACTION else None,
        dismissed_reason=reason or None,
        follow_up_at=datetime.combine(follow_up, time(9), tzinfo=UTC) if follow_up else None,
    )
    if change.status == "resolved" and change.follow_up_at is None and not case.follow_up_at:
        change.follow_up_at = next_follow_up(None, case.follow_ups_done, settings.follow_up_days)
    outcome = actions.save_case(cid, seen_version(case), who, change)
    if outcome.ok and outcome.case is not None:
        st.session_state[seen_key(cid)] = outcome.case.version
        st.session_state[f"case_form_gen_{cid}"] = gen + 1
        actions.flash("Saved.")
        st.rerun()
    else:
        st.error(outcome.message)


def template_values(cf: CaseFile, who: Person, settings: DashboardSettings) -> dict[str, Any]:
    """What a reply template is filled with: author, product, order, brand, responder."""
    mention = cf.mention
    order = None
    if settings.order_number_pattern:
        try:
            found = re.search(
                settings.order_number_pattern,
                f"{mention.title or ''}\n{mention.text}",
                re.IGNORECASE,
            )
        except re.error:
            found = None
        if found:
            order = found.group(1) if found.groups() else found.group(0)
    metrics = mention.metrics or {}
    product = metrics.get("item_reviewed") or metrics.get("product")
    author = display.clean(mention.author) or None
    for link, customer in links_for_mention(context.engine(), mention.id or 0):
        if link.status == "confirmed" and customer.name:
            author = customer.name
            break
    return {
        "author": author,
        "brand": settings.brand,
        "product": display.clean(str(product)) if product else None,
        "order": order,
        "responder": None if who.name == "local user" else who.name,
    }


@st.fragment
def template_panel(cf: CaseFile, who: Person, settings: DashboardSettings) -> None:
    """Pick a response template; get it filled in, ready to copy."""
    templates = load_templates(Path(settings.templates_dir) if settings.templates_dir else None)
    if not templates:
        st.caption("No response templates.")
        return
    suggested = suggest(templates, cf.mention.aspects or [], cf.mention.label)
    index = templates.index(suggested) if suggested in templates else 0
    chosen = st.selectbox(
        "Response template",
        templates,
        index=index,
        format_func=lambda t: t.name + (" (suggested)" if t == suggested else ""),
        key=f"tpl_{cf.case.id}",
    )
    text = render(chosen, template_values(cf, who, settings))
    st.code(text, language=None, wrap_lines=True)
    st.caption(
        "Copy it (icon at the top right), adapt it where you answer, then record "
        "“public reply” or “private reply” as the action taken. [placeholders] are "
        "what Grapevine could not fill in."
    )


def send_panel(cf: CaseFile, who: Person, settings: DashboardSettings) -> None:
    """Send the case to a support-queue target; what was sent where."""
    st.markdown("**Support queue**")
    case_id = cf.case.id or 0
    exports = exports_for_case(context.engine(), case_id)
    if exports:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Target": e.target,
                        "State": e.state,
                        "Attempts": e.attempts,
                        # NaT, an empty cell (None would read "None" in a column of nothing)
                        "Sent": pd.to_datetime(display.as_local(e.sent_at)),
                        "Reference": e.reference or "",
                        "Last error": e.last_error or "",
                    }
                    for e in exports
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if not settings.targets:
        st.caption("No support-queue targets are configured ([[targets]] in grapevine.toml).")
        return
    target = st.selectbox("Target", settings.targets, key=f"send_target_{case_id}")
    if st.button("Send to support queue", key=f"btn_send_{case_id}", disabled=not who.can_work):
        done, problems = actions.send([case_id], target, who)
        if done:
            actions.flash(
                f"Queued for {target}. It goes out with the next `grapevine export`, "
                "`grapevine run` or scheduler tick."
            )
        else:
            actions.flash("Not queued: " + "; ".join(problems), "error")
        st.rerun()
    st.caption("Sending happens on the next `grapevine export`, `grapevine run` or scheduler tick.")


def quick_take(cf: CaseFile, who: Person) -> None:
    """One click: assign to me and start (status in progress)."""
    case = cf.case
    if who.method == "local" and who.name == "local user":
        st.caption(
            "You work as “local user”: type your name in the sidebar (» at the top left) "
            "so the timeline and your replies carry it."
        )
    if case.status != "new" and case.assignee == who.name:
        return
    label = "Take it (assign to me, in progress)" if case.status == "new" else "Assign to me"
    if st.button(
        label, key=f"btn_take_{case.id}", disabled=not who.can_work, icon=":material/pan_tool:"
    ):
        change = Change(
            assignee=who.name if case.assignee != who.name else None,
            status="in_progress" if case.status == "new" else None,
        )
        outcome = actions.save_case(case.id or 0, seen_version(case), who, change)
        if outcome.ok and outcome.case is not None:
            st.session_state[seen_key(case.id or 0)] = outcome.case.version
            actions.flash("The case is yours.")
            st.rerun()
        st.error(outcome.message)

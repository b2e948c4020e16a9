"""Writes from the dashboard: every change goes through ``triage`` and clears cached reads.

Each function returns what a page needs to tell the person (and, for a conflict, the case as
it is now); none of them raises for an expected refusal.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.exc import DataError

from dashboard import context, display, loaders
from dashboard.auth import Person
from storage import views
from storage.models import Case
from triage.cases import CaseConflict, CaseError, Change, bulk_update, update_case
from triage.export.ledger import request_send
from triage.links import decide_link

log = logging.getLogger(__name__)

FLASH_KEY = "flash"


@dataclass(frozen=True)
class Outcome:
    """How a save went: ``ok``, a message, and the case as saved or as it is now."""

    ok: bool
    message: str
    case: Case | None = None
    conflict: bool = False


def flash(message: str, kind: str = "success") -> None:
    """A message shown once, at the top of the next render of the page."""
    st.session_state[FLASH_KEY] = (kind, display.md_escape(message))


def show_flash() -> None:
    """Show (and forget) the pending flash message."""
    pending = st.session_state.pop(FLASH_KEY, None)
    if pending:
        kind, message = pending
        {"success": st.success, "warning": st.warning, "error": st.error}.get(kind, st.info)(
            message
        )


def _refuse(who: Person) -> Outcome | None:
    if not who.can_work:
        return Outcome(False, "Viewers cannot change cases.")
    return None


def save_case(case_id: int, version: int, who: Person, change: Change) -> Outcome:
    """Apply ``change`` to the case the person saw at ``version``."""
    if refused := _refuse(who):
        return refused
    try:
        saved = update_case(
            context.engine(),
            case_id,
            version=version,
            actor=who.name,
            change=change,
            follow_up_days=context.settings().follow_up_days,
        )
    except CaseConflict as exc:
        log.info("case %s: conflict at version %s", case_id, version)
        return Outcome(
            False,
            "Not saved: someone else changed this case while you were working on it. "
            "Check the case as it is now (above), take the current state, and save again.",
            exc.current,
            conflict=True,
        )
    except CaseError as exc:
        return Outcome(False, f"Not saved: {exc}.")
    except DataError:  # PostgreSQL refuses a value past its column (SQLite stores it)
        log.info("case %s: a value did not fit", case_id)
        return Outcome(False, "Not saved: a value is too long (a name at most 200 characters).")
    loaders.changed()
    return Outcome(True, "Saved.", saved)


def bulk(case_ids: Sequence[int], who: Person, change: Change) -> tuple[int, list[str]]:
    """Apply one change to many cases; (how many changed, the problems)."""
    if not who.can_work:
        return 0, ["Viewers cannot change cases."]
    done, problems = bulk_update(
        context.engine(),
        list(case_ids),
        actor=who.name,
        change=change,
        follow_up_days=context.settings().follow_up_days,
    )
    loaders.changed()
    return done, problems


def send(case_ids: Sequence[int], target: str, who: Person) -> tuple[int, list[str]]:
    """Queue cases for a support-queue target (sent by the next export run)."""
    if not who.can_work:
        return 0, ["Viewers cannot send cases."]
    if target not in context.settings().targets:
        return 0, [f"{target!r} is not a configured support-queue target."]
    done, problems = 0, []
    for case_id in case_ids:
        try:
            request_send(context.engine(), case_id, target, actor=who.name)
            done += 1
        except Exception as exc:  # one bad case must not stop the others
            log.warning("case %s: cannot queue for %s: %s", case_id, target, type(exc).__name__)
            problems.append(f"case {case_id}: {type(exc).__name__}")
    loaders.changed()
    return done, problems


def save_view(who: Person, name: str, filters: dict[str, Any]) -> Outcome:
    """Save the queue's current filters as one of ``who``'s views."""
    try:
        saved = views.save_view(context.engine(), owner=who.name, name=name, filters=filters)
    except views.ViewError as exc:
        return Outcome(False, f"Not saved: {exc}.")
    loaders.changed()
    return Outcome(True, f"View “{saved.name}” saved.")


def delete_view(who: Person, name: str) -> Outcome:
    """Delete one of ``who``'s saved views."""
    if not views.delete_view(context.engine(), owner=who.name, name=name):
        return Outcome(False, f"There is no view “{name}” any more.")
    loaders.changed()
    return Outcome(True, f"View “{name}” deleted.")


def decide(link_id: int, confirm: bool, who: Person) -> Outcome:
    """Confirm or reject a suggested customer link."""
    if refused := _refuse(who):
        return refused
    try:
        decide_link(context.engine(), link_id, confirm=confirm, actor=who.name)
    except ValueError as exc:
        return Outcome(False, str(exc))
    loaders.changed()
    return Outcome(True, "Link confirmed." if confirm else "Link rejected.")

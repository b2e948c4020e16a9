"""The Customers page's privacy actions, for admins: download what we hold, forget them.

"Forget this customer" first shows what will be erased (rows per table, the targets their
cases went to) and asks again; the erasure is :func:`storage.privacy.forget_person`, in one
transaction with its audit row; then their records are removed from the file-drop exports
(:mod:`triage.privacy_files`, the paths handed over by ``grapevine dashboard``).
"""

import json
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import actions, audit_view, context
from dashboard.auth import Person
from storage import privacy
from storage.models import Customer
from triage.privacy_files import remove_records

CONFIRM_KEY = "privacy_confirm_customer"
PREPARE_KEY = "privacy_prepare_customer"


def _held(crm_id: str) -> tuple[privacy.Person, dict[str, Any], list[dict[str, Any]]]:
    with context.engine().connect() as conn:
        person = privacy.find_person(conn, customer=crm_id)
        data = privacy.person_data(conn, person)
        sent = privacy.export_targets(conn, person)
    return person, data, sent


def _files(person: privacy.Person, *, dry_run: bool) -> list[tuple[str, int]]:
    pattern = privacy.needle_pattern(person.needles)
    return [
        (
            name,
            remove_records(
                Path(path), fmt=fmt, case_ids=set(person.case_ids), pattern=pattern,
                dry_run=dry_run,
            ),
        )
        for name, path, fmt in context.settings().file_exports
    ]  # fmt: skip


def _downloaded(who: Person, customer_id: int, counts: dict[str, int]) -> None:
    audit_view.note(
        "person.exported",
        actor=who.name,
        subject_type="customer",
        subject_id=customer_id,
        summary="access request downloaded on the Customers page",
        detail={"counts": counts, "customer_ids": [customer_id]},
    )


def _forget(who: Person, customer: Customer) -> None:
    # the files first: one that cannot be rewritten stops it before the database changes
    person, _, _ = _held(customer.external_id)
    try:
        removed = sum(n for _, n in _files(person, dry_run=False))
    except OSError as exc:
        actions.flash(
            f"Nothing was erased: a file-drop export could not be rewritten "
            f"({exc.strerror or exc}). Fix it and try again.",
            "error",
        )
        return
    with context.engine().begin() as conn:
        _, counts, _ = privacy.forget_person(
            conn, actor=who.name, customer=customer.external_id, reason="dashboard"
        )
    privacy.checkpoint(context.engine())
    st.session_state.pop(CONFIRM_KEY, None)
    st.session_state["customer_id"] = None
    st.query_params.pop("customer", None)
    actions.flash(
        f"The customer was forgotten: {counts.get('mention', 0)} mention(s) and "
        f"{counts.get('triage_case', 0)} case(s) anonymised, tombstones written, {removed} "
        "record(s) removed from the file-drop exports."
    )


def show(who: Person, customer: Customer) -> None:
    """The admin's privacy actions for ``customer`` (nothing for anybody else)."""
    if not who.is_admin or customer.id is None:
        return
    customer_id = customer.id
    st.caption("Privacy (admins)")
    left, right = st.columns(2)
    # the search behind both actions reads the whole database: only when asked for
    if left.button("Prepare what we hold (JSON)", key="btn_privacy_prepare"):
        st.session_state[PREPARE_KEY] = customer_id
    if right.button("Forget this customer", key="btn_privacy_forget"):
        st.session_state[CONFIRM_KEY] = customer_id
    preparing = st.session_state.get(PREPARE_KEY) == customer_id
    confirming = st.session_state.get(CONFIRM_KEY) == customer_id
    if not (preparing or confirming):
        return
    person, data, sent = _held(customer.external_id)
    counts = person.counts()
    if preparing:
        left.download_button(
            "Download what we hold (JSON)",
            data=json.dumps(data, indent=2, ensure_ascii=False, default=str),
            file_name=f"customer-{customer.external_id}.json",
            mime="application/json",
            key="btn_privacy_download",
            on_click=_downloaded,
            args=(who, customer_id, counts),
        )
    if not confirming:
        return
    lines = [f"{table}: {n}" for table, n in counts.items()]
    try:
        lines += [
            f"file-drop export {name}: {n} record(s)" for name, n in _files(person, dry_run=True)
        ]
    except OSError as exc:
        lines.append(f"file-drop exports: cannot be read ({exc.strerror})")
    st.warning(
        "This erases the customer and anonymises their mentions and cases. It cannot be "
        "undone.\n\n" + "\n".join(f"- {line}" for line in lines)
    )
    if sent:
        st.caption(
            "Already sent, cannot be recalled from here (ask each target): "
            + ", ".join(f"case #{r['case_id']} → {r['target']}" for r in sent)
        )
    yes, no = st.columns(2)
    if yes.button("Yes, forget this customer", key="btn_privacy_forget_yes", type="primary"):
        _forget(who, customer)
        st.rerun()
    if no.button("Cancel", key="btn_privacy_forget_no"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()

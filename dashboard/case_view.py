"""The case page's reading side: the mention as written, its analysis, the customer, the timeline.

Everything the author wrote (title, text, name, address) is shown with ``st.text`` or in
dataframe cells, never as Markdown or HTML.
"""

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import actions, audit_view, context, display, loaders, queue_view
from dashboard.auth import Person
from storage.casefile import CaseFile, customer_mentions
from storage.mentions import revisions
from storage.models import Case
from storage.types import utcnow
from triage.cases import timeline
from triage.links import links_for_mention

#: Session key of the last known neighbours of each case: a case that just left the view
#: (resolved from the case page) still leads on to the next one.
NAV = "case_nav"


def stepper(case_id: int, who: Person) -> None:
    """Previous / next case in the queue's current order and filters (keys K and J)."""
    filters = queue_view.current_filter(who)
    before, after, position, count = loaders.neighbours(filters, case_id)
    known: dict[int, tuple[int | None, int | None]] = st.session_state.setdefault(NAV, {})
    if position is None:
        before, after = known.get(case_id, (None, None))
        where = f"not in the queue view any more ({count} cases there)"
    else:
        known[case_id] = (before, after)
        view = queue_view.VIEWS.get(st.session_state.get("q_view") or "open", "")
        where = f"{position} of {count} in the queue ({view.lower()}, filters as set there)"
    back, middle, ahead = st.columns([1, 4, 1], vertical_alignment="center")
    target = None
    if back.button(
        "‹ Previous", key="btn_case_prev", disabled=before is None, shortcut="K", width="stretch"
    ):
        target = before
    middle.caption(f"Case {where}")
    if ahead.button(
        "Next ›", key="btn_case_next", disabled=after is None, shortcut="J", width="stretch"
    ):
        target = after
    if target is not None:
        st.session_state["case_id"] = target
        st.query_params["case"] = str(target)
        st.rerun()


def header(cf: CaseFile) -> None:
    """Case number, status, priority, service level, owner."""
    case, mention = cf.case, cf.mention
    st.title(f"Case #{case.id}")
    cols = st.columns(5)
    cols[0].metric("Status", display.status_name(case.status))
    cols[1].metric("Priority", f"{case.priority:.2f}")
    cols[2].metric(
        "Service level",
        display.sla(case.due_at, case.first_action_at, case.status, utcnow()),
        help=f"First action due {display.local(case.due_at)} ({display.zone_name()})",
    )
    cols[3].metric("Assignee", display.md_escape(case.assignee) if case.assignee else "nobody")
    cols[4].metric("Follow-up", display.local(case.follow_up_at, "%Y-%m-%d") or "none")
    if mention.is_competitor:
        st.caption("This mention is about a competitor.")
    helpdesk_tickets(case.id or 0)


def helpdesk_tickets(case_id: int) -> None:
    """The case's helpdesk tickets (link, status, last sync) and a conflict, if any."""
    from storage.tickets import tickets_of_case

    with context.engine().connect() as conn:
        tickets = tickets_of_case(conn, case_id=case_id)
    for t in tickets:
        where = f"[#{t['ticket_id']}]({t['url']})" if t["url"] else f"#{t['ticket_id']}"
        st.caption(
            f"Helpdesk ticket {where} on {display.md_escape(t['target'])}: "
            f"{display.md_escape(t['raw_status'] or t['last_status'])}, last synced "
            f"{display.local(t['synced_at']) or 'never'}"
        )
        if t["conflict"]:
            st.warning(
                f"Conflict with the helpdesk: {t['conflict_detail']}. Settle it on one side "
                "(resolve or reopen the case here, or the ticket there); the next sync clears it."
            )


def mention_panel(cf: CaseFile) -> None:
    """The mention exactly as the author wrote it, with where and when."""
    mention = cf.mention
    st.subheader("What they said")
    with st.container(border=True):
        if mention.title:
            st.text(display.clean(mention.title), wrap=True)
            st.divider()
        display.untrusted(mention.text)
    meta = [
        f"By: {display.clean(mention.author) or 'unknown'}"
        + (f" ({display.clean(mention.author_handle)})" if mention.author_handle else ""),
        f"Where: {mention.source}",
        f"When: {display.local(mention.published_at)} ({display.zone_name()})"
        + (" (estimated)" if mention.published_estimated else ""),
    ]
    if mention.rating is not None:
        meta.append(f"Rating: {display.stars(mention.rating)} ({mention.rating:g} of 5)")
    if mention.reach:
        meta.append(f"Reach: {mention.reach:,} followers/likes")
    st.text("\n".join(meta))
    url = display.safe_url(mention.url)
    if url:
        st.link_button("Open the original", url, icon=":material/open_in_new:")
        st.text(f"Address: {url}")
    elif mention.url:
        st.text(f"Original address (not a web link, not opened): {display.clean(mention.url)}")
    if mention.reply_text:
        st.caption("The company's public reply, already posted")
        display.untrusted(mention.reply_text)
    earlier = list(reversed(revisions(context.engine(), mention.id or 0)))
    if earlier:
        with st.expander(f"Edited by the author: {len(earlier)} earlier version(s)"):
            for rev in earlier:
                st.caption(f"Replaced {display.local(rev.replaced_at)}")
                display.untrusted(((rev.title + "\n") if rev.title else "") + rev.text)


def analysis_panel(cf: CaseFile) -> None:
    """Sentiment with the cues that decided it, complaint, aspects."""
    mention = cf.mention
    st.subheader("Why it is here")
    cols = st.columns(3)
    sentiment = mention.sentiment
    cols[0].metric(
        "Sentiment",
        f"{sentiment:+.2f}" if sentiment is not None else "n/a",
        mention.label or None,
        delta_color="off",
        delta_arrow="off",
        help="From -1 (very negative) to +1 (very positive)",
    )
    cols[1].metric(
        "Complaint",
        "yes" if mention.complaint else "no",
        f"score {mention.complaint_score:.2f}",
        delta_color="off",
        delta_arrow="off",
        help="A complaint is not always negative words: waiting, refunds, no reply…",
    )
    cols[2].metric("Aspects", len(mention.aspects or []))
    # the analyser's own cue says when it could not score the language ("not scored: German")
    unscored = next((c for c in mention.cues or [] if c.startswith("not scored:")), None)
    model = (mention.analyser_version or "unknown").removeprefix("grapevine-0.4+")
    st.text(f"Language: {display.clean(mention.language or 'unknown')} · model: {model}")
    if unscored:
        st.text(
            display.clean(unscored.split(" (")[0]) + " — read it: no sentiment for this language"
        )
    if mention.aspects:
        st.text("Aspects: " + ", ".join(display.clean(a) for a in mention.aspects))
    if mention.cues:
        st.text("Cues:\n" + "\n".join(f"• {display.clean(cue)}" for cue in mention.cues))


def customer_panel(cf: CaseFile, who: Person) -> None:
    """The linked customer (or suggestions to confirm or reject) and their history."""
    st.subheader("Customer")
    links = links_for_mention(context.engine(), cf.mention.id or 0)
    if not links:
        st.caption("No known customer is linked to this author.")
        return
    for link, customer in links:
        audit_view.viewed_customer(who, customer.id or 0, "case")
        with st.container(border=True):
            facts = [
                f"{display.clean(customer.name) or 'no name'} · CRM id {customer.external_id}",
                f"Link: {link.status} by {link.method} ({link.confidence:.0%} sure)",
            ]
            if customer.email:
                facts.append(f"Email: {customer.email}")
            if customer.tier or customer.lifetime_value:
                facts.append(
                    f"Tier: {customer.tier or '-'} · lifetime value: "
                    f"{display.money(customer.lifetime_value) or 'unknown'}"
                )
            if link.evidence:
                facts.append(f"Evidence: {display.clean(link.evidence)}")
            st.text("\n".join(facts))
            buttons = st.columns(3)
            if link.status == "suggested":
                if buttons[0].button(
                    "Confirm", key=f"btn_link_yes_{link.id}", disabled=not who.can_work
                ):
                    _decided(actions.decide(link.id or 0, True, who))
                if buttons[1].button(
                    "Reject", key=f"btn_link_no_{link.id}", disabled=not who.can_work
                ):
                    _decided(actions.decide(link.id or 0, False, who))
            if buttons[2].button("Customer file", key=f"btn_customer_{link.id}"):
                st.switch_page(
                    "app_pages/customers.py", query_params={"customer": str(customer.id)}
                )
            if link.status != "rejected":
                history = [
                    row
                    for row in customer_mentions(context.engine(), customer.id or 0)
                    if row["mention_id"] != cf.mention.id
                ]
                if history:
                    st.caption("Their other mentions and cases")
                    st.dataframe(history_frame(history), hide_index=True, width="stretch")
                else:
                    st.caption("No other mention of theirs.")


def _decided(outcome: actions.Outcome) -> None:
    actions.flash(outcome.message, "success" if outcome.ok else "error")
    st.rerun()


def history_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A customer's mentions and cases as a table."""
    return pd.DataFrame(
        [
            {
                "Published": pd.to_datetime(display.as_local(row["published_at"])),
                "Source": row["source"],
                "Said": display.preview(
                    ((row["title"] + " — ") if row["title"] else "") + (row["text"] or ""), 120
                ),
                "Rating": display.stars(row["rating"]),
                "Link": row["link_status"],
                "Case": f"#{row['case_id']} {display.status_name(row['case_status'])}"
                if row["case_id"]
                else "",
            }
            for row in rows
        ]
    )


def timeline_panel(case: Case) -> None:
    """Everything that happened to the case, oldest first."""
    st.subheader("Timeline")
    events = timeline(context.engine(), case.id or 0)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When": display.as_local(event.at),
                    "Who": event.actor,
                    "What": display.event_name(event.kind),
                    "Details": display.words(display.preview(event.message, 400)),
                }
                for event in events
            ],
            columns=["When", "Who", "What", "Details"],
        ),
        hide_index=True,
        width="stretch",
        column_config={"When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )

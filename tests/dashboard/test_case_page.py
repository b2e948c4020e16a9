"""The case page: untrusted text as text, working a case, templates, conflicts, links."""

from datetime import UTC, datetime, timedelta

from conftest import open_page
from sqlmodel import Session, select

from storage.casefile import case_file
from storage.models import CustomerLink
from tests.dashboard.seed import HOSTILE_TEXT, HOSTILE_TITLE
from triage.cases import Change, timeline, update_case
from triage.export.ledger import exports_for_case


def case_page(app, case_id: int, **state):
    return open_page(app(actor_name="Sam", **state), "case", case=str(case_id))


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def widget(items, label: str):
    return next(w for w in items if w.label == label)


def test_hostile_review_is_shown_as_plain_text_only(app, seeded) -> None:
    at = case_page(app, seeded["case_hostile"])
    assert not at.exception
    texts = [t.value for t in at.text]
    assert HOSTILE_TITLE in texts and HOSTILE_TEXT in texts
    assert any("Ahmed <b>Hassan</b>" in t for t in texts)
    # nothing the author wrote reaches an element that renders Markdown or HTML
    rendered = [m.value for m in (*at.markdown, *at.caption, *at.title, *at.subheader)]
    rendered += [str(m.value) + str(m.label) for m in at.metric]
    for needle in ("<script", "onerror", "evil.example", "javascript:", "**Avoid**", "<b>"):
        assert not any(needle in value for value in rendered), needle
    # a javascript: address is not offered as a link
    assert not at.get("link_button")
    assert any("not a web link" in t for t in texts)


def test_the_mention_link_analysis_and_customer_are_shown(app, seeded) -> None:
    at = case_page(app, seeded["case_maria"])
    texts = "\n".join(t.value for t in at.text)
    assert "Charged again after cancelling" in texts
    assert "Rating: ★☆☆☆☆ (1 of 5)" in texts
    assert "complaint cue: still waiting" in texts
    assert "Maria Lopez · CRM id C-100" in texts
    assert at.get("link_button")[0].proto.url == "https://reviews.example/maria"
    history = at.dataframe[0].value  # her other mention
    assert history["Said"].tolist() == ["Lovely beans, quick delivery."]


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_take_it_assigns_and_starts_but_answers_nobody(app, seeded, sqlite_engine) -> None:
    """Taking a case is no response: the service level still runs until a reply or a
    contact is recorded."""
    at = case_page(app, seeded["case_maria"])
    button(at, "Take it (assign to me, in progress)").click().run()
    assert not at.exception
    case = case_file(sqlite_engine, seeded["case_maria"]).case
    assert (case.assignee, case.status) == ("Sam", "in_progress")
    assert case.first_action_at is None
    assert metric(at, "Service level").startswith("due in")
    widget(at.text_area, "Note").input("Looking into the double charge")
    button(at, "Save").click().run()
    assert metric(at, "Service level").startswith("due in")  # a note answers nobody either
    widget(at.selectbox, "Action taken").set_value("private reply")
    button(at, "Save").click().run()
    assert metric(at, "Service level") == "answered"
    assert case_file(sqlite_engine, seeded["case_maria"]).case.first_action_at is not None


def test_the_work_form_assigns_sets_status_notes_and_records_the_action(
    app, seeded, sqlite_engine
) -> None:
    case_id = seeded["case_late"]
    at = case_page(app, case_id)
    widget(at.selectbox, "Assignee").set_value("Sam")
    widget(at.selectbox, "Status").set_value("waiting_on_customer")
    widget(at.selectbox, "Action taken").set_value("replacement")
    widget(at.text_area, "Note").input("Sent a new box, asked for a photo of the label")
    button(at, "Save").click().run()
    assert not at.exception and at.success[0].value == "Saved."
    case = case_file(sqlite_engine, case_id).case
    assert (case.assignee, case.status, case.action_taken) == (
        "Sam",
        "waiting_on_customer",
        "replacement",
    )
    kinds = [(e.kind, e.actor) for e in timeline(sqlite_engine, case_id)]
    assert ("note", "Sam") in kinds and ("status", "Sam") in kinds
    # the form is fresh again, and the timeline shows the note
    assert widget(at.text_area, "Note").value == ""
    assert "Sent a new box" in "".join(at.dataframe[-1].value["Details"])


def test_dismissing_needs_a_reason_and_resolving_sets_the_first_review(
    app, seeded, sqlite_engine
) -> None:
    case_id = seeded["case_maria"]
    at = case_page(app, case_id)
    widget(at.selectbox, "Status").set_value("dismissed")
    button(at, "Save").click().run()
    assert "needs a reason" in at.error[0].value
    assert case_file(sqlite_engine, case_id).case.status == "new"

    widget(at.selectbox, "Status").set_value("resolved")
    button(at, "Save").click().run()
    case = case_file(sqlite_engine, case_id).case
    assert case.status == "resolved"
    assert case.follow_up_at is not None
    assert abs(case.follow_up_at - (datetime.now(UTC) + timedelta(days=30))) < timedelta(hours=1)


def test_the_template_is_filled_with_author_product_order_and_responder(app, seeded) -> None:
    at = case_page(app, seeded["case_maria"])
    template = widget(at.selectbox, "Response template")
    assert "(suggested)" in template.format_func(template.value)
    reply = at.code[0].value
    assert reply.startswith("Hi Maria")
    assert "LW-204518" in reply
    assert "Sam" in reply
    assert "[responder]" not in reply and "{" not in reply
    thanks = next(i for i, o in enumerate(template.options) if o.startswith("Thank you"))
    template.select_index(thanks).run()
    assert at.code[0].value.startswith("Hi Maria,\n\nThank you so much")
    assert at.code[0].value.rstrip().endswith("Sam, Larkwood Coffee")


def test_a_second_save_on_a_stale_case_is_refused_and_shows_the_current_state(
    app, seeded, sqlite_engine
) -> None:
    case_id = seeded["case_maria"]
    at = case_page(app, case_id)  # Sam opens the case at version 1
    # meanwhile Alex takes it
    update_case(sqlite_engine, case_id, version=1, actor="Alex", change=Change(assignee="Alex"))
    widget(at.selectbox, "Status").set_value("dismissed")
    widget(at.text_input, "Reason (needed to dismiss)").input("spam")
    button(at, "Save").click().run()
    assert not at.exception
    assert "someone else changed this case" in at.error[0].value
    now = next(d.value for d in at.dataframe if list(d.value.columns) == ["", "Now"])
    assert dict(zip(now[""], now["Now"], strict=True))["Assignee"] == "Alex"
    case = case_file(sqlite_engine, case_id).case
    assert (case.status, case.assignee, case.version) == ("new", "Alex", 2)  # nothing lost

    button(at, "Take the current state").click().run()
    assert not any(list(d.value.columns) == ["", "Now"] for d in at.dataframe)
    widget(at.selectbox, "Status").set_value("dismissed")
    widget(at.text_input, "Reason (needed to dismiss)").input("spam")
    button(at, "Save").click().run()
    case = case_file(sqlite_engine, case_id).case
    assert (case.status, case.dismissed_reason, case.assignee) == ("dismissed", "spam", "Alex")


def test_confirming_and_rejecting_a_suggested_customer(app, seeded, sqlite_engine) -> None:
    at = case_page(app, seeded["case_hostile"])
    button(at, "Confirm").click().run()
    assert "Link confirmed" in at.success[0].value
    with Session(sqlite_engine) as session:
        link = session.exec(
            select(CustomerLink).where(CustomerLink.mention_id == seeded["mention_hostile"])
        ).one()
    assert (link.status, link.decided_by) == ("confirmed", "Sam")
    events = timeline(sqlite_engine, seeded["case_hostile"])
    assert events[-1].kind == "link" and events[-1].actor == "Sam"


def test_rejecting_a_suggestion(app, seeded, sqlite_engine) -> None:
    at = case_page(app, seeded["case_hostile"])
    button(at, "Reject").click().run()
    assert "Link rejected" in at.success[0].value
    with Session(sqlite_engine) as session:
        link = session.exec(
            select(CustomerLink).where(CustomerLink.mention_id == seeded["mention_hostile"])
        ).one()
    assert link.status == "rejected"


def test_sending_to_the_support_queue_says_when_it_goes(app, seeded, sqlite_engine) -> None:
    at = case_page(app, seeded["case_late"])
    button(at, "Send to support queue").click().run()
    assert "next `grapevine export`" in at.success[0].value.replace("\\", "")
    assert [e.state for e in exports_for_case(sqlite_engine, seeded["case_late"])] == ["pending"]


def test_an_unknown_case(app) -> None:
    at = open_page(app(), "case", case="999")
    assert "There is no case #999" in at.error[0].value


def test_a_bad_case_number_is_a_friendly_message(app, seeded) -> None:
    """A truncated or doctored link: a message in words, no traceback, no SQL."""
    for wanted in ("99999999999999999999", "abc", "#0", "12; DROP TABLE case"):
        at = open_page(app(), "case", case=wanted)
        assert not at.exception, wanted
        assert "is not a case number" in at.warning[0].value, wanted
        shown = " ".join(e.value for e in (*at.error, *at.warning, *at.markdown))
        assert "Traceback" not in shown and "SELECT" not in shown


def test_the_link_an_email_carries_opens_the_case(app, seeded) -> None:
    """``public_url + "/?case=ID"`` (triage/export/payload.py) lands on the case itself."""
    at = app()
    at.query_params["case"] = str(seeded["case_late"])
    at.run()
    assert not at.exception
    assert at.title[0].value == f"Case #{seeded['case_late']}"


def test_next_and_previous_follow_the_queue_order_and_filters(app, seeded, sqlite_engine) -> None:
    from storage.queries import QueueFilter, queue_page

    order = [row["id"] for row in queue_page(sqlite_engine, filters=QueueFilter())[0]]
    at = case_page(app, order[0])
    assert any(f"1 of {len(order)} in the queue" in c.value for c in at.caption)
    assert button(at, "‹ Previous").disabled
    button(at, "Next ›").click().run()
    assert at.title[0].value == f"Case #{order[1]}"
    button(at, "Next ›").click().run()
    assert at.title[0].value == f"Case #{order[2]}"
    button(at, "‹ Previous").click().run()
    assert at.title[0].value == f"Case #{order[1]}"
    # with the queue filtered to competitors, the rival's case stands alone
    at = case_page(app, seeded["case_rival"], q_brand="competitor")
    assert any("1 of 1 in the queue" in c.value for c in at.caption)
    assert button(at, "Next ›").disabled and button(at, "‹ Previous").disabled


def test_a_resolved_case_still_leads_to_the_next(app, seeded, sqlite_engine) -> None:
    from storage.queries import QueueFilter, queue_page

    order = [row["id"] for row in queue_page(sqlite_engine, filters=QueueFilter())[0]]
    at = case_page(app, order[0])
    widget(at.selectbox, "Status").set_value("resolved")
    widget(at.selectbox, "Action taken").set_value("refund")
    button(at, "Save").click().run()
    assert any("not in the queue view any more" in c.value for c in at.caption)
    button(at, "Next ›").click().run()
    assert at.title[0].value == f"Case #{order[1]}"


def test_people_read_words_not_codes(app, seeded, sqlite_engine) -> None:
    case_id = seeded["case_late"]
    update_case(
        sqlite_engine,
        case_id,
        version=1,
        actor="Alex",
        change=Change(status="waiting_on_customer", follow_up_at=datetime.now(UTC)),
    )
    at = case_page(app, case_id)
    timeline_table = at.dataframe[-1].value
    assert "status changed" in set(timeline_table["What"])
    assert "follow-up" in set(timeline_table["What"])
    assert "new → waiting on customer" in set(timeline_table["Details"])
    shown = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    shown += [t.value for t in at.text] + [str(m.value) for m in at.metric]
    for code in ("in_progress", "waiting_on_customer", "follow_up", "None", "nan"):
        assert not any(code in value for value in shown), code


def test_an_over_long_name_is_a_message_not_a_traceback(app_on, seeded_on, engine) -> None:
    """PostgreSQL refuses a name past its 200 characters; the person reads why."""
    long_name = "Samantha " * 30
    at = open_page(app_on(actor_name=long_name), "case", case=str(seeded_on["case_maria"]))
    assert not at.exception
    kept = at.session_state["actor_name"]
    assert len(kept) == 200  # the field holds what the timeline holds (and counts down)
    button(at, "Take it (assign to me, in progress)").click().run()
    assert not at.exception and "The case is yours." in at.success[0].value
    assert case_file(engine, seeded_on["case_maria"]).case.assignee == kept.strip()

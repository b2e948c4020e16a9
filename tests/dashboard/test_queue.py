"""The triage queue page: order, filters, paging, the due view and bulk actions (AppTest)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from storage.casefile import case_file
from storage.mentions import upsert_mentions
from storage.models import Case
from triage.export.ledger import exports_for_case
from triage.opening import open_cases
from triage.policy import TriagePolicy


def seed(engine, count: int = 3) -> None:
    upsert_mentions(
        engine,
        [
            {
                "source": "reviews",
                "source_type": "schemaorg",
                "external_id": str(i),
                "url": "https://x",
                "author": f"Author {i}",
                "text": f"Still waiting for refund {i}",
                "content_hash": str(i),
                "needs_attention": True,
                "sentiment": -0.3 * (i % 4),
                "published_at": datetime(2026, 11, 1, tzinfo=UTC),
            }
            for i in range(count)
        ],
    )
    open_cases(engine, TriagePolicy())


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_empty_queue(app) -> None:
    at = app().run()
    assert not at.exception
    assert "No open cases" in at.info[0].value


def test_seeded_queue_lists_cases_by_priority(app, sqlite_engine) -> None:
    seed(sqlite_engine)
    at = app().run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert [text.split()[-1] for text in frame["Said"]] == ["2", "1", "0"]
    assert metric(at, "Open cases") == "3"


def test_pages_are_fetched_from_the_database(app, sqlite_engine) -> None:
    seed(sqlite_engine, 120)
    at = app().run()
    assert len(at.dataframe[0].value) == 50
    assert any("Page 1 of 3 · cases 1–50 of 120" in c.value for c in at.caption)
    button(at, "Next ›").click().run()
    assert any("Page 2 of 3 · cases 51–100 of 120" in c.value for c in at.caption)
    first_page_ids = set(app().run().dataframe[0].value["Case"])
    assert not first_page_ids & set(at.dataframe[0].value["Case"])


def test_search_and_filters_narrow_the_queue(app, seeded) -> None:
    at = app(q_text="waiting REFUND").run()  # every word, any case
    assert list(at.dataframe[0].value["Case"]) == [seeded["case_maria"]]

    at = app(q_text=f"#{seeded['case_late']}").run()
    assert list(at.dataframe[0].value["Case"]) == [seeded["case_late"]]

    at = app(q_brand="competitor").run()
    assert list(at.dataframe[0].value["Case"]) == [seeded["case_rival"]]
    assert at.dataframe[0].value["Said"][0].startswith("competitor: ")

    at = app(q_aspects=["delivery"], q_brand="own").run()
    assert list(at.dataframe[0].value["Case"]) == [seeded["case_late"]]

    at = app(q_linked="yes").run()
    assert list(at.dataframe[0].value["Customer"]) == ["Maria Lopez"]

    at = app(q_sources=["forums"]).run()
    assert list(at.dataframe[0].value["Source"]) == ["forums"]
    assert any(c.value.replace("\\", "") == "Filtered by source: forums" for c in at.caption)
    button(at, "Clear filters").click().run()
    assert len(at.dataframe[0].value) == 4
    at.toggle(key="q_show_filters").set_value(True).run()
    assert [m.label for m in at.multiselect] == ["Status", "Source", "Aspect", "Assignee"]

    at = app(q_text="no such words anywhere").run()
    assert "No case matches" in at.info[0].value


def test_the_overdue_view(app, seeded, sqlite_engine) -> None:
    with Session(sqlite_engine) as session:
        session.execute(
            update(Case)
            .where(col(Case.id) == seeded["case_late"])
            .values(due_at=datetime.now(UTC) - timedelta(hours=5))
        )
        session.commit()
    at = app(q_view="overdue").run()
    table = at.dataframe[0].value
    assert list(table["Case"]) == [seeded["case_late"]]
    assert table["Due"][0] == "OVERDUE 5 h"
    assert metric(at, "Overdue") == "1"


def test_bulk_assign_and_status_on_the_selection(app, seeded, sqlite_engine) -> None:
    chosen = [seeded["case_maria"], seeded["case_late"]]
    at = app(queue_selected=chosen, actor_name="Sam").run()
    assert any("2 selected" in m.value for m in at.markdown)
    assert next(s for s in at.selectbox if s.label == "Assign to").value == "Sam"
    button(at, "Assign").click().run()
    assert not at.exception
    assert "2 cases assigned" in at.success[0].value
    for case_id in chosen:
        assert case_file(sqlite_engine, case_id).case.assignee == "Sam"

    at = app(queue_selected=chosen, actor_name="Sam").run()
    status_box = next(s for s in at.selectbox if s.label == "Status")
    status_box.set_value("in_progress")
    button(at, "Set status").click().run()
    assert "2 cases set to in progress" in at.success[0].value
    assert {case_file(sqlite_engine, i).case.status for i in chosen} == {"in_progress"}


def test_bulk_send_to_the_support_queue(app, seeded, sqlite_engine) -> None:
    at = app(queue_selected=[seeded["case_maria"]]).run()
    button(at, "Send to support queue").click().run()
    assert "1 case queued for helpdesk" in at.success[0].value
    ledger = exports_for_case(sqlite_engine, seeded["case_maria"])
    assert [(e.target, e.state) for e in ledger] == [("helpdesk", "pending")]


def test_a_refused_bulk_change_is_reported_per_case(app, seeded) -> None:
    at = app(queue_selected=[seeded["case_maria"]]).run()
    next(s for s in at.selectbox if s.label == "Status").set_value("dismissed")
    button(at, "Set status").click().run()
    assert "0 cases set to dismissed" in at.warning[0].value
    assert "needs a reason" in at.warning[0].value


def test_a_saved_view_is_kept_per_person(app, seeded, sqlite_engine) -> None:
    at = app(actor_name="Sam", q_view="unassigned", q_aspects=["delivery"], q_brand="own").run()
    assert list(at.dataframe[0].value["Case"]) == [seeded["case_late"]]
    at.text_input(key="q_view_name").input("Late parcels").run()
    button(at, "Save view").click().run()
    assert not at.exception
    assert "Late parcels" in at.success[0].value

    # the next morning, a fresh session: everything open, until Sam picks the view
    at = app(actor_name="Sam").run()
    assert len(at.dataframe[0].value) == 4
    picker = at.selectbox(key="q_saved_view")
    assert picker.options == ["Late parcels"]
    picker.set_value("Late parcels").run()
    assert not at.exception
    assert list(at.dataframe[0].value["Case"]) == [seeded["case_late"]]
    assert at.session_state["q_view"] == "unassigned"
    assert any("aspect: delivery" in c.value.replace("\\", "") for c in at.caption)

    # somebody else has their own list
    other = app(actor_name="Ana").run()
    assert other.selectbox(key="q_saved_view").options == []

    # Sam deletes it
    at = app(actor_name="Sam", q_saved_view="Late parcels").run()
    button(at, "Delete “Late parcels”").click().run()
    assert "deleted" in at.success[0].value
    assert at.selectbox(key="q_saved_view").options == []


def test_the_queue_shows_words_and_fits_what_a_triager_decides_by(app, seeded) -> None:
    at = app(q_view="all").run()
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Priority",
        "Case",
        "Status",
        "Due",
        "Source",
        "Rating",
        "Said",
        "Aspects",
        "Assignee",
        "Customer",
    ]
    cells = [str(v) for v in table.to_numpy().ravel()]
    for code in ("in_progress", "waiting_on_customer", "None", "nan"):
        assert not any(code in cell for cell in cells), code
    assert "resolved" in set(table["Status"]) and "closed" in set(table["Due"])

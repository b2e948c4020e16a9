"""The case page shows the case's helpdesk ticket (link, status, last sync) and a conflict."""

from conftest import open_page

from storage.tickets import save_sync, track_ticket


def test_the_ticket_and_a_conflict_are_shown_on_the_case(app, seeded, sqlite_engine) -> None:
    case_id = seeded["case_maria"]
    with sqlite_engine.begin() as conn:
        row = track_ticket(
            conn, case_id=case_id, target="rt", kind="rt", ticket_id="12",
            url="https://rt.acme.example/Ticket/Display.html?id=12", case_version=1,
        )  # fmt: skip
        detail = "RT ticket #12 is resolved in RT, but the case was changed"
        save_sync(
            conn, ticket_row=row, raw_status="resolved", conflict=True, conflict_detail=detail
        )
    at = open_page(app(actor_name="Sam"), "case", case=str(case_id))
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("Helpdesk ticket [#12](https://rt.acme.example/Ticket/Display.html?id=12) "
                     "on rt: resolved, last synced")
        for c in captions
    ), captions  # fmt: skip
    (warning,) = [w.value for w in at.warning if "helpdesk" in w.value]
    assert "RT ticket #12 is resolved in RT, but the case was changed" in warning

    with sqlite_engine.begin() as conn:
        save_sync(conn, ticket_row=row, conflict=False, conflict_detail=None)
    at = open_page(app(actor_name="Sam"), "case", case=str(case_id))
    assert not [w for w in at.warning if "helpdesk" in w.value]


def test_a_case_without_a_ticket_shows_none(app, seeded) -> None:
    at = open_page(app(actor_name="Sam"), "case", case=str(seeded["case_maria"]))
    assert not at.exception
    assert not [c for c in at.caption if c.value.startswith("Helpdesk ticket")]

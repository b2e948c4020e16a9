"""The Audit page (admins only) and the rows the dashboard writes: sign-ins, failed sign-ins,
customer files viewed, case changes made on the page."""

import csv
import io

import pytest
from argon2 import PasswordHasher
from conftest import open_page

from dashboard import audit_view
from storage.audit import audit_now, list_audit

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def people() -> dict:
    digest = PasswordHasher().hash(PASSWORD)
    return {
        "users": [
            {"name": "ana", "role": "admin", "password_hash": digest},
            {"name": "sam", "role": "responder", "password_hash": digest},
        ]
    }


def sign_in(at, name: str, password: str):
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    return at


def trail(engine, **filters) -> list[dict]:
    with engine.connect() as conn:
        return list_audit(conn, **filters)


def test_sign_ins_and_failed_sign_ins_leave_rows(app_on, engine, people) -> None:
    at = app_on(settings=people).run()
    sign_in(at, "ana", "wrong password")
    sign_in(at, "not-a-user@example.com", PASSWORD)
    sign_in(at, "ANA", PASSWORD)
    assert not at.exception and any("Signed in: ana" in t.value for t in at.sidebar.text)
    rows = trail(engine, action="signin")
    assert [(r["actor"], r["action"]) for r in reversed(rows)] == [
        ("ana", "signin_failed"),
        ("unknown", "signin_failed"),  # a name that is no user is not stored as typed
        ("ana", "signin"),
    ]
    assert PASSWORD not in repr(rows) and "not-a-user" not in repr(rows)


def test_an_admin_filters_the_trail_and_downloads_it(app, sqlite_engine, seeded, people) -> None:
    audit_now(sqlite_engine, actor="=cmd|' /C calc'!A0", action="signin", summary="-2+3")
    at = open_page(app(settings=people, signed_in={"name": "ana"}), "audit")
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Audit trail"]
    table = at.dataframe[0].value
    assert {"case.status", "case.action", "signin"} <= set(table["Action"])
    assert "sam" in set(table["Who"])

    at.selectbox(key="audit_action").select("case.status").run()
    table = at.dataframe[0].value
    assert set(table["Action"]) == {"case.status"} and len(table) >= 1
    at.selectbox(key="audit_action").select("").run()
    at.selectbox(key="audit_actor").select("sam").run()
    assert set(at.dataframe[0].value["Who"]) == {"sam"}
    at.text_input(key="audit_subject").input(f"case {seeded['case_stale']}").run()
    table = at.dataframe[0].value
    assert set(table["Subject"]) == {f"case {seeded['case_stale']}"}
    assert at.get("download_button")

    rows = list(csv.reader(io.StringIO(audit_view.csv_bytes(trail(sqlite_engine)).decode())))
    assert rows[0][:3] == ["When (UTC)", "Who", "Action"]
    hostile = next(r for r in rows if "calc" in r[1])
    assert hostile[1].startswith("'=") and hostile[4] == "'-2+3"  # no formula runs


def test_a_responder_has_no_audit_page(app, seeded, people) -> None:
    at = app(settings=people, signed_in={"name": "sam"}).run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(app(settings=people, signed_in={"name": "sam"}), "audit")


def test_viewing_a_customer_file_is_recorded_once_per_session(app, sqlite_engine, seeded) -> None:
    customer = seeded["customer_maria"]
    at = open_page(app(actor_name="lee"), "customers", customer=str(customer))
    assert not at.exception
    at.run()  # a rerun is not a new view
    rows = trail(sqlite_engine, action="customer.viewed")
    assert [(r["actor"], r["subject_id"], r["detail"]) for r in rows] == [
        ("lee", str(customer), {"page": "customers"})
    ]
    at = open_page(app(actor_name="lee"), "case", case=str(seeded["case_maria"]))
    assert not at.exception
    rows = trail(sqlite_engine, action="customer.viewed")
    assert ("lee", {"page": "case"}) in [(r["actor"], r["detail"]) for r in rows]
    assert "maria@example.com" not in repr(rows) and "Maria" not in repr(rows)

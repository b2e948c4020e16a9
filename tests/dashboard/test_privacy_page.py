"""The Customers page's privacy actions: admins download and forget, with a confirm step."""

import json

import pytest
from argon2 import PasswordHasher
from conftest import open_page
from sqlalchemy import text

from storage.audit import list_audit

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


def _buttons(at) -> dict:
    return {b.key: b for b in at.button}


def test_an_admin_forgets_a_customer_after_confirming(app, sqlite_engine, seeded, tmp_path) -> None:
    customer = seeded["customer_maria"]
    drop = tmp_path / "cases.jsonl"
    drop.write_text(
        json.dumps({"case_id": seeded["case_maria"], "author": "Maria Lopez"})
        + "\n"
        + json.dumps({"case_id": 999, "author": "Somebody else"})
        + "\n",
        encoding="utf-8",
    )
    settings = {"file_exports": [("drop", str(drop), "jsonl")]}
    at = open_page(app(settings=settings, actor_name="lee"), "customers", customer=str(customer))
    assert not at.exception, [e.value for e in at.exception]
    assert "btn_privacy_forget" in _buttons(at)
    assert "Download what we hold (JSON)" not in repr(at)  # prepared on request only
    _buttons(at)["btn_privacy_prepare"].click().run()
    assert not at.exception
    assert "Download what we hold (JSON)" in repr(at)
    _buttons(at)["btn_privacy_forget"].click().run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "cannot be undone" in warning and "mention: 2" in warning and "customer: 1" in warning
    assert "file-drop export drop: 1 record(s)" in warning
    with sqlite_engine.connect() as conn:  # nothing yet
        assert conn.execute(text("SELECT count(*) FROM customer")).scalar_one() == 2
    _buttons(at)["btn_privacy_forget_yes"].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(
        "was forgotten" in s.value and "removed from the file" in s.value for s in at.success
    )
    assert "Maria" not in drop.read_text(encoding="utf-8")
    assert "Somebody else" in drop.read_text(encoding="utf-8")
    with sqlite_engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM customer")).scalars().all()
        texts = conn.execute(text("SELECT text FROM mention")).scalars().all()
    assert names == ["Ahmed Hassan"]
    assert sum("erased at the author's request" in t for t in texts) == 2
    [row] = list_audit(sqlite_engine.connect(), action="forget")
    assert row["actor"] == "lee" and "maria" not in repr(row).lower()
    # the anonymised case still opens, as an anonymous case
    case = open_page(app(settings=settings), "case", case=str(seeded["case_maria"]))
    assert not case.exception, [e.value for e in case.exception]
    shown = " ".join(str(e.value) for e in [*case.markdown, *case.text, *case.caption, *case.info])
    assert "Maria" not in shown and "erased at the author" in shown, shown


def test_a_responder_sees_no_privacy_actions(app, seeded, people) -> None:
    at = open_page(
        app(settings=people, signed_in={"name": "sam"}),
        "customers",
        customer=str(seeded["customer_maria"]),
    )
    assert not at.exception
    assert "btn_privacy_forget" not in _buttons(at)
    assert "btn_privacy_prepare" not in _buttons(at)

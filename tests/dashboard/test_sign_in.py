"""Sign-in and roles: passwords (argon2, bcrypt), lock-out, viewer/responder/admin, OIDC."""

import bcrypt
import pytest
from argon2 import PasswordHasher
from conftest import open_page

from dashboard.auth import MAX_FAILURES, Throttle, verify_password

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def argon2_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


def users(argon2_hash: str) -> dict:
    return {
        "users": [
            {"name": "ana", "role": "admin", "password_hash": argon2_hash},
            {"name": "sam", "role": "responder", "password_hash": argon2_hash},
            {
                "name": "vic",
                "role": "viewer",
                "password_hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
            },
        ]
    }


def sign_in(at, name: str, password: str):
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    return at


def test_hashes_are_checked(argon2_hash: str) -> None:
    assert verify_password(argon2_hash, PASSWORD)
    assert not verify_password(argon2_hash, PASSWORD + "!")
    bcrypted = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    assert verify_password(bcrypted, PASSWORD) and not verify_password(bcrypted, "nope")
    assert not verify_password("$argon2id$broken", PASSWORD)
    assert not verify_password("plain text", PASSWORD)


def test_the_app_asks_for_a_sign_in_and_shows_nothing_before(app, seeded, argon2_hash) -> None:
    at = app(settings=users(argon2_hash)).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Grapevine"]
    assert not at.dataframe  # no case data before signing in
    sign_in(at, "ana", "wrong password")
    assert "Unknown name or wrong password" in at.error[0].value
    assert not at.dataframe
    sign_in(at, "ANA", PASSWORD)  # names are not case-sensitive
    assert not at.exception
    assert "Triage queue" in [t.value for t in at.title]
    assert any("Signed in: ana (admin)" in t.value for t in at.sidebar.text)


def test_repeated_failures_lock_the_name(sqlite_engine) -> None:
    throttle = Throttle(sqlite_engine)
    for attempt in range(MAX_FAILURES):
        assert throttle.locked_for("sam", now=100.0 + attempt) == 0
        throttle.failed("sam", now=100.0 + attempt)
    assert throttle.locked_for("SAM", now=110.0) > 0
    assert throttle.locked_for("ana", now=110.0) == 0
    assert throttle.locked_for("sam", now=100.0 + 3600) == 0  # the failures expire


def test_a_viewer_reads_but_cannot_act(app, seeded, argon2_hash) -> None:
    at = app(settings=users(argon2_hash), signed_in={"name": "vic"})
    at = open_page(at, "case", case=str(seeded["case_maria"]))
    assert not at.exception
    assert "read access" in at.info[0].value
    save = next(b for b in at.button if b.label == "Save")
    assert save.disabled
    assert next(b for b in at.button if b.label.startswith("Take it")).disabled
    assert all(
        b.disabled for b in at.button if b.label in ("Confirm", "Reject", "Send to support queue")
    )
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(app(settings=users(argon2_hash), signed_in={"name": "vic"}), "settings")


def test_a_responder_works_cases_but_has_no_settings_page(app, seeded, argon2_hash) -> None:
    at = app(settings=users(argon2_hash), signed_in={"name": "sam"})
    at = open_page(at, "case", case=str(seeded["case_maria"]))
    assert not next(b for b in at.button if b.label == "Save").disabled
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(app(settings=users(argon2_hash), signed_in={"name": "sam"}), "settings")


def test_an_admin_sees_the_settings_without_hashes(app, seeded, argon2_hash) -> None:
    at = open_page(app(settings=users(argon2_hash), signed_in={"name": "ana"}), "settings")
    assert not at.exception and not at.error
    shown = "".join(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())
    assert "ana" in shown and "$argon2" not in shown and "$2b$" not in shown


def test_a_removed_user_is_signed_out(app, seeded, argon2_hash) -> None:
    at = app(settings=users(argon2_hash), signed_in={"name": "gone"}).run()
    assert [t.value for t in at.title] == ["Grapevine"]


def test_single_sign_on_maps_emails_to_roles(app, seeded) -> None:
    oidc = {"oidc": {"provider": None, "roles": {"ana@example.com": "admin"}}}
    at = app(settings=oidc)
    at.user = {"is_logged_in": True, "email": "Ana@Example.com", "name": "Ana"}
    at = open_page(at, "settings")
    assert not at.exception and not at.error
    assert any("Signed in: Ana (admin)" in t.value for t in at.sidebar.text)

    at = app(settings=oidc)
    at.user = {"is_logged_in": True, "email": "stranger@example.com", "name": "Stranger"}
    at.run()
    assert "no role here" in at.error[0].value

    at = app(settings={"oidc": {"default_role": "viewer"}})
    at.user = {"is_logged_in": True, "email": "anyone@example.com", "name": "Anyone"}
    at.run()
    assert any("Signed in: Anyone (viewer)" in t.value for t in at.sidebar.text)

    at = app(settings=oidc)
    at.user = {"is_logged_in": False}
    at.run()
    assert any(b.label == "Single sign-on" for b in at.button)


def test_without_users_the_sidebar_says_it_listens_locally(app) -> None:
    at = app().run()
    assert any("listens on 127.0.0.1 only" in c.value for c in at.sidebar.caption)


def test_failures_on_another_instance_lock_the_form(
    app, seeded, sqlite_engine, argon2_hash
) -> None:
    """The lock is in the database: failures counted by another dashboard instance hold here."""
    from storage import make_engine

    elsewhere = Throttle(make_engine(sqlite_engine.url.render_as_string(hide_password=False)))
    for _ in range(MAX_FAILURES):
        elsewhere.failed("sam")
    at = app(settings=users(argon2_hash)).run()
    sign_in(at, "sam", PASSWORD)  # the right password, and still refused for now
    assert not at.exception
    assert "Too many failed attempts" in at.error[0].value
    assert [t.value for t in at.title] == ["Grapevine"]

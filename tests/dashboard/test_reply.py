"""The case page's answer in place, against a local Mastodon API (AppTest)."""

from argon2 import PasswordHasher
from conftest import open_page

from storage.types import utcnow
from tests.helpers.cases import mention, seed_cases
from tests.helpers.fake_mastodon import Failure, FakeMastodon, fake_mastodon
from triage.replies import replies_for

TOKEN_ENV = "LARKWOOD_MASTODON_TOKEN"


def reply_sources(server: FakeMastodon) -> dict:
    return {
        "masto": {"type": "mastodon", "base_url": server.base_url, "token_env": TOKEN_ENV},
        "reviews": {"type": "schemaorg", "urls": ["https://reviews.example/"]},
    }


def seed(engine, server: FakeMastodon) -> tuple[int, dict]:
    status = server.add_status("@larkwood my beans never arrived")
    [case_id] = seed_cases(
        engine,
        [
            mention(
                status["uri"],
                source="masto",
                source_type="mastodon",
                url=status["url"],
                author_handle="alice@127.0.0.1",
                raw={"id": status["id"]},
            )
        ],
        now=utcnow(),
    )
    return case_id, status


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_reply_publicly_posts_on_mastodon_and_the_reply_shows(
    app, sqlite_engine, monkeypatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "test-token")
    with fake_mastodon() as server:
        case_id, status = seed(sqlite_engine, server)
        settings = {"reply_sources": reply_sources(server)}
        at = open_page(app(settings=settings, actor_name="Sam"), "case", case=str(case_id))
        assert not at.exception, [e.value for e in at.exception]
        labels = [b.label for b in at.button]
        assert "Reply publicly" in labels and "Reply privately" in labels
        area = next(t for t in at.text_area if t.label == "Your reply")
        assert area.value  # the filled template is the starting text
        area.input("Sorry Alice, a new bag is on its way.")
        at.radio(key=f"reply_visibility_{case_id}").set_value("unlisted")
        button(at, "Reply publicly").click().run()
        assert not at.exception, [e.value for e in at.exception]
        [sent] = [s for s in server.seen if s.method == "POST"]
        assert sent.body["in_reply_to_id"] == status["id"]
        assert sent.body["visibility"] == "unlisted"
        assert sent.body["status"].endswith("Sorry Alice, a new bag is on its way.")
        assert at.success[0].value == "Posted on Mastodon."
        [reply] = replies_for(sqlite_engine, case_id)
        assert any(b.proto.url == reply.url for b in at.get("link_button"))
        assert "Sorry Alice, a new bag is on its way." in [t.value for t in at.text]
        assert any("Our reply on Mastodon" in c.value for c in at.caption)
        # the service level is answered, and the responder's page is not "changed by someone"
        assert not at.warning
        assert "Delete the reply" in [b.label for b in at.button]


def test_a_failed_post_says_why_and_keeps_the_text(app, sqlite_engine, monkeypatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "test-token")
    with fake_mastodon() as server:
        case_id, _ = seed(sqlite_engine, server)
        server.fail_next.append(Failure(429, "Too many requests", {"Retry-After": "60"}))
        settings = {"reply_sources": reply_sources(server)}
        at = open_page(app(settings=settings, actor_name="Sam"), "case", case=str(case_id))
        next(t for t in at.text_area if t.label == "Your reply").input("We are on it, Alice.")
        button(at, "Reply privately").click().run()
        assert not at.exception, [e.value for e in at.exception]
        errors = " ".join(e.value for e in at.error)
        assert "try again after 60 s" in errors
        area = next(t for t in at.text_area if t.label == "Your reply")
        assert area.value == "We are on it, Alice."
        [draft] = replies_for(sqlite_engine, case_id)
        assert draft.state == "failed" and draft.visibility == "direct"


def test_a_viewer_sees_no_reply_buttons_and_other_sources_get_a_hint(
    app, sqlite_engine, monkeypatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "test-token")
    digest = PasswordHasher().hash("a long enough secret")
    users = [{"name": "vic", "role": "viewer", "password_hash": digest}]
    with fake_mastodon() as server:
        case_id, _ = seed(sqlite_engine, server)
        settings = {"reply_sources": reply_sources(server), "users": users}
        at = open_page(app(settings=settings, signed_in={"name": "vic"}), "case", case=str(case_id))
        assert not at.exception, [e.value for e in at.exception]
        assert "Reply publicly" not in [b.label for b in at.button]
        assert any("Responders and admins can answer" in c.value for c in at.caption)
    [other] = seed_cases(sqlite_engine, [mention("r-9")], now=utcnow())
    at = open_page(
        app(settings={"reply_sources": reply_sources(server)}, actor_name="Sam"),
        "case",
        case=str(other),
    )
    assert "Reply publicly" not in [b.label for b in at.button]
    assert any("copy the text and answer on the review site" in c.value for c in at.caption)


def test_a_posted_reply_is_edited_and_deleted_from_the_case(
    app, sqlite_engine, monkeypatch
) -> None:
    from triage.replies import post_reply

    monkeypatch.setenv(TOKEN_ENV, "test-token")
    with fake_mastodon() as server:
        case_id, _ = seed(sqlite_engine, server)
        settings = {"reply_sources": reply_sources(server)}
        posted = post_reply(
            sqlite_engine,
            case_id=case_id,
            text="First words",
            visibility="public",
            actor="Sam",
            sources=settings["reply_sources"],
            environ={TOKEN_ENV: "test-token"},
        )
        assert posted.reply is not None
        at = open_page(app(settings=settings, actor_name="Sam"), "case", case=str(case_id))
        at.text_area(key=f"reply_edit_{posted.reply.id}").input("Better words")
        button(at, "Save the edit").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.success[0].value == "Edited on Mastodon."
        assert server.statuses[posted.reply.platform_id or ""]["content"] == "<p>Better words</p>"
        button(at, "Delete the reply").click().run()
        assert at.success[0].value == "Deleted from Mastodon."
        assert posted.reply.platform_id not in server.statuses
        assert "Delete the reply" not in [b.label for b in at.button]

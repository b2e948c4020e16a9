"""Answering in place: the reply flow against a local Mastodon API, on SQLite and PostgreSQL."""

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from storage.audit import list_audit
from storage.casefile import case_file
from storage.health import Period, case_kpis
from storage.types import utcnow
from tests.helpers.cases import mention, seed_cases
from tests.helpers.fake_mastodon import Failure, FakeMastodon, fake_mastodon
from triage.cases import timeline
from triage.replies import delete_reply, edit_reply, post_reply, replies_for
from triage.replies_found import record_platform_answers

ENV = {"LARKWOOD_MASTODON_TOKEN": "test-token"}


def sources(server: FakeMastodon, **extra: Any) -> dict[str, dict[str, Any]]:
    return {
        "masto": {
            "type": "mastodon",
            "base_url": server.base_url,
            "token_env": "LARKWOOD_MASTODON_TOKEN",
            **extra,
        }
    }


def mastodon_case(
    engine: Engine, server: FakeMastodon, text: str = "parcel late, 2 weeks"
) -> tuple[int, dict]:
    status = server.add_status(f"@larkwood {text}")
    [case_id] = seed_cases(
        engine,
        [
            mention(
                status["uri"],
                source="masto",
                source_type="mastodon",
                url=status["url"],
                author_handle="alice@127.0.0.1",
                raw={"id": status["id"], "in_reply_to_id": None},
            )
        ],
        now=utcnow(),
    )
    return case_id, status


def test_a_posted_reply_is_on_the_timeline_and_is_the_first_response(engine: Engine) -> None:
    with fake_mastodon() as server:
        case_id, status = mastodon_case(engine, server)
        outcome = post_reply(
            engine,
            case_id=case_id,
            text="Sorry Alice, we are on it",
            visibility="public",
            actor="dana",
            sources=sources(server),
            environ=ENV,
        )
        assert outcome.ok, outcome.message
        sent = [s for s in server.seen if s.method == "POST"]
        assert len(sent) == 1 and sent[0].body["in_reply_to_id"] == status["id"]
        [reply] = replies_for(engine, case_id)
        assert reply.state == "posted" and reply.posted_by == "dana"
        assert reply.platform_id in server.statuses
        assert reply.url == server.statuses[reply.platform_id or ""]["url"]
    cf = case_file(engine, case_id)
    assert cf is not None and cf.case.first_action_at is not None
    assert cf.case.action_taken == "public reply"
    actions = [e for e in timeline(engine, case_id) if e.kind == "action"]
    assert [e.data["action"] for e in actions] == ["public reply"]
    assert actions[0].actor == "dana" and reply.url and reply.url in actions[0].message
    kpis = case_kpis(engine, Period(utcnow() - timedelta(days=1), utcnow() + timedelta(hours=1)))
    assert kpis["first_actions"] == 1 and kpis["sla_met"] == 1
    [audit] = list_audit(engine.connect(), action="reply.")
    assert audit["action"] == "reply.posted" and audit["actor"] == "dana"
    assert "Sorry" not in audit["summary"] + str(audit["detail"])  # no reply text in the trail


def test_a_failed_post_keeps_the_draft_and_says_why_and_a_retry_posts_it_once(
    engine: Engine,
) -> None:
    with fake_mastodon() as server:
        case_id, status = mastodon_case(engine, server)
        server.fail_next.append(Failure(429, "Too many requests", {"Retry-After": "30"}))
        args: dict[str, Any] = {
            "case_id": case_id,
            "visibility": "public",
            "actor": "dana",
            "sources": sources(server),
            "environ": ENV,
        }
        failed = post_reply(engine, text="We are on it", **args)
        assert not failed.ok and "try again after 30 s" in failed.message
        assert failed.reply is not None and failed.reply.state == "failed"
        assert failed.reply.text == "We are on it" and failed.reply.error_kind == "rate_limited"
        cf = case_file(engine, case_id)
        assert cf is not None and cf.case.first_action_at is None
        assert [a["action"] for a in list_audit(engine.connect(), action="reply.")] == [
            "reply.failed"
        ]
        retried = post_reply(engine, text="We are on it", reply_id=failed.reply.id, **args)
        assert retried.ok and retried.reply is not None and retried.reply.id == failed.reply.id
        assert len(replies_for(engine, case_id)) == 1
        mine = [s for s in server.statuses.values() if s["in_reply_to_id"] == status["id"]]
        assert len(mine) == 1
        # the post deleted on the platform, an expired token: the reason in words
        del server.statuses[status["id"]]
        gone = post_reply(engine, text="Hello again", **args)
        assert not gone.ok and "deleted" in gone.message
        expired = post_reply(
            engine, text="Hello again", **{**args, "environ": {"LARKWOOD_MASTODON_TOKEN": "old"}}
        )
        assert not expired.ok and "expired" in expired.message
        assert expired.reply is not None and expired.reply.text == "Hello again"


def test_reply_privately_is_a_direct_status_recorded_as_a_private_reply(engine: Engine) -> None:
    with fake_mastodon() as server:
        case_id, _ = mastodon_case(engine, server)
        outcome = post_reply(
            engine,
            case_id=case_id,
            text="Could you send us your order number?",
            visibility="direct",
            actor="dana",
            sources=sources(server),
            environ=ENV,
        )
        assert outcome.ok
        assert server.seen[-1].body["visibility"] == "direct"
    cf = case_file(engine, case_id)
    assert cf is not None and cf.case.action_taken == "private reply"


def test_edit_and_delete_a_posted_reply(engine: Engine) -> None:
    with fake_mastodon() as server:
        case_id, _ = mastodon_case(engine, server)
        common: dict[str, Any] = {"actor": "dana", "sources": sources(server), "environ": ENV}
        posted = post_reply(engine, case_id=case_id, text="First", visibility="public", **common)
        assert posted.reply is not None
        rid = posted.reply.id or 0
        edited = edit_reply(engine, reply_id=rid, text="Second, better", **common)
        assert edited.ok and edited.reply is not None and edited.reply.edited_at is not None
        assert server.statuses[posted.reply.platform_id or ""]["content"] == "<p>Second, better</p>"
        deleted = delete_reply(engine, reply_id=rid, **common)
        assert deleted.ok and deleted.reply is not None and deleted.reply.state == "deleted"
        assert posted.reply.platform_id not in server.statuses
    actions = [a["action"] for a in list_audit(engine.connect(), action="reply.")]
    assert actions == ["reply.deleted", "reply.edited", "reply.posted"]


def test_a_source_without_a_connector_says_to_answer_on_the_platform(
    sqlite_engine: Engine,
) -> None:
    [case_id] = seed_cases(sqlite_engine, [mention("r1")], now=utcnow())
    outcome = post_reply(
        sqlite_engine,
        case_id=case_id,
        text="Sorry",
        visibility="public",
        actor="dana",
        sources={"reviews": {"type": "schemaorg"}},
        environ={},
    )
    assert not outcome.ok and "copy the text" in outcome.message
    assert replies_for(sqlite_engine, case_id) == []


def test_the_company_reply_found_by_the_crawl_marks_the_case_answered(engine: Engine) -> None:
    now = utcnow() - timedelta(hours=1)
    [case_id] = seed_cases(engine, [mention("tp1", source_type="trustpilot")], now=now)
    assert record_platform_answers(engine, sources={}, environ={}).marked == []
    # the next crawl finds the company's reply on the review (answered outside Grapevine)
    from storage.mentions import upsert_mentions

    upsert_mentions(
        engine,
        [
            mention(
                "tp1",
                source_type="trustpilot",
                reply_text="Sorry!",
                reply_at=now + timedelta(minutes=5),
            )
        ],
    )
    report = record_platform_answers(engine, sources={}, environ={})
    assert report.marked == [case_id]
    cf = case_file(engine, case_id)
    assert cf is not None and cf.case.first_action_at is not None
    assert abs((cf.case.first_action_at - (now + timedelta(minutes=5))).total_seconds()) < 1
    assert [e.kind for e in timeline(engine, case_id)].count("answered") == 1
    assert record_platform_answers(engine, sources={}, environ={}).marked == []


def test_the_brand_accounts_reply_in_a_mastodon_thread_marks_the_case_answered(
    sqlite_engine: Engine,
) -> None:
    with fake_mastodon() as server:
        case_id, status = mastodon_case(sqlite_engine, server)
        found = sources(server, account="larkwood")
        assert record_platform_answers(sqlite_engine, sources=found, environ=ENV).marked == []
        server.add_status("@alice so sorry", username="larkwood", in_reply_to_id=status["id"])
        report = record_platform_answers(sqlite_engine, sources=found, environ=ENV)
        assert report.marked == [case_id] and not report.problems
    cf = case_file(sqlite_engine, case_id)
    assert cf is not None and cf.case.first_action_at is not None
    [event] = [e for e in timeline(sqlite_engine, case_id) if e.kind == "answered"]
    assert "brand's account" in event.message


def test_the_daily_jobs_answers_step_reads_the_config_and_marks_the_case(
    sqlite_engine: Engine, tmp_path: Any
) -> None:
    from grapevine.config import parse_config
    from grapevine.job import STEPS, JobSummary, answers_step

    assert [name for name, _ in STEPS].index("answers") == 1 + [n for n, _ in STEPS].index("triage")
    with fake_mastodon() as server:
        case_id, status = mastodon_case(sqlite_engine, server)
        server.add_status("@alice sorry!", username="larkwood", in_reply_to_id=status["id"])
        settings = parse_config(
            {
                "brand": {"name": "Larkwood"},
                "sources": [
                    {
                        "name": "masto",
                        "type": "mastodon_notifications",
                        "base_url": server.base_url,
                        "token_env": "LARKWOOD_MASTODON_TOKEN",
                        "account": "@larkwood",
                    }
                ],
            },
            tmp_path / "grapevine.toml",
            env=ENV,
        )
        summary = JobSummary()
        answers_step(settings, sqlite_engine, summary)
    assert summary.cases_answered == 1 and summary.as_dict()["cases_answered"] == 1
    cf = case_file(sqlite_engine, case_id)
    assert cf is not None and cf.case.first_action_at is not None

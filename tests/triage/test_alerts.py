"""Alerts that explain themselves: spikes with a cool-down, silent sources, the digest,
follow-ups at 30/60/90 days — delivered to a real SMTP server and a real webhook."""

import json
from datetime import timedelta

from helpers.cases import NOW, mention, seed_cases
from helpers.receiver import SmtpServer, WebhookReceiver
from sqlmodel import Session, select

from storage.models import Alert, Case, CaseEvent, CrawlRun
from storage.runs import finish_crawl_run, start_crawl_run
from triage.alerts import AlertPolicy, Channel
from triage.alerts_run import run_alerts
from triage.cases import Change, get_case, update_case
from triage.followups import run_follow_ups

POLICY = AlertPolicy(
    digest=False, spike_factor=3, spike_min_count=5, spike_baseline_days=14,
    spike_cooldown=timedelta(hours=24), sources=("reviews", "forum"),
    queue_url="https://gv.example/",
)  # fmt: skip


def attention(n: int, *, hours_ago: float, prefix: str, **kw) -> list[dict]:
    return [
        mention(f"{prefix}{i}", published_at=NOW - timedelta(hours=hours_ago), **kw)
        for i in range(n)
    ]


def test_a_spike_is_one_alert_with_its_numbers(engine) -> None:
    # baseline: 14 mentions over the 14 days before (1 a day); then 9 in the last 24 hours
    base = [mention(f"b{d}", published_at=NOW - timedelta(days=d + 1, hours=2)) for d in range(14)]
    spike = attention(6, hours_ago=2, prefix="d", aspects=["delivery"])
    spike += attention(3, hours_ago=5, prefix="a", aspects=["app", "delivery"], source="forum")
    seed_cases(engine, base + spike)
    with WebhookReceiver() as hook:
        channel = Channel("slack", "webhook", url=hook.url)
        first = run_alerts(engine, [channel], POLICY, now=NOW)
        again = run_alerts(engine, [channel], POLICY, now=NOW + timedelta(hours=6))
        later = run_alerts(engine, [channel], POLICY, now=NOW + timedelta(hours=25))
    assert first.sent == 1 and again.sent == 0  # cooled down: one spike, one alert
    text = json.loads(hook.requests[0]["body"])["text"]
    assert "9 mentions needing attention in the last 24 hours" in text
    assert "9.0× the usual 1.0 a day" in text
    assert "Top aspects: delivery 9, app 3" in text
    assert "Top sources: reviews 6, forum 3" in text
    assert "https://gv.example/" in text
    # a day later the window moved on: nothing in the last 24 hours, nothing to say
    assert later.sent == 0 and len(hook.requests) == 1
    with Session(engine) as session:
        [row] = session.exec(select(Alert).where(Alert.kind == "spike")).all()
    assert row.channel == "slack" and row.data["count"] == 9


def test_no_spike_below_the_minimum_or_the_factor(engine) -> None:
    base = [
        mention(f"b{d}{i}", published_at=NOW - timedelta(days=d + 1, hours=2))
        for d in range(14)
        for i in (1, 2)
    ]
    seed_cases(engine, base + attention(5, hours_ago=1, prefix="x"))
    report = run_alerts(engine, [], POLICY, now=NOW)  # 5 vs 2 a day: below 3×
    assert [n.kind for n in report.notices] == []


def _run(engine, source: str, *, at, status="ok", new=0, error=None) -> None:
    run_id = start_crawl_run(engine, source=source, source_type="feed")
    with Session(engine) as session:
        run = session.get(CrawlRun, run_id)
        run.started_at = at
        session.add(run)
        session.commit()
    finish_crawl_run(engine, run_id, status=status, items_new=new, error_summary=error)


def test_silent_and_failing_sources_alert_once_per_episode(engine) -> None:
    # reviews: something new every day for 5 days, then 4 daily runs with nothing
    for day in range(9, 0, -1):
        _run(engine, "reviews", at=NOW - timedelta(days=day), new=3 if day > 4 else 0)
    # forum: three failures in a row after a good run
    _run(engine, "forum", at=NOW - timedelta(days=4), new=2)
    for day in (3, 2, 1):
        _run(engine, "forum", at=NOW - timedelta(days=day), status="failed", error="HTTP 503")
    with SmtpServer() as smtp:
        channel = Channel("ops-mail", "email", to=("ops@acme.example",), smtp_port=smtp.port)
        first = run_alerts(engine, [channel], POLICY, now=NOW)
        again = run_alerts(engine, [channel], POLICY, now=NOW + timedelta(hours=1))
    assert sorted(n.kind for n in first.notices) == ["source_failing", "source_silent"]
    assert again.notices == []
    by_kind = {m["X-Grapevine-Alert"]: m for m in smtp.messages}
    silent = by_kind["source_silent"].get_body(("plain",)).get_content()
    assert "Source reviews has brought nothing new for 5 days (4 runs" in silent
    assert "it usually does every 24 hours" in silent
    failing = by_kind["source_failing"]
    assert failing["Subject"] == "[Grapevine] Source forum failed 3 runs in a row"
    assert "Latest reason: HTTP 503" in failing.get_body(("plain",)).get_content()
    # the forum recovers, then fails three times again: a new episode, a new alert
    _run(engine, "forum", at=NOW + timedelta(days=1), new=1)
    for day in (2, 3, 4):
        _run(engine, "forum", at=NOW + timedelta(days=day), status="failed", error="timeout")
    third = run_alerts(engine, [], POLICY, now=NOW + timedelta(days=5))
    assert [n.key for n in third.notices if n.kind == "source_failing"] == ["forum"]


def test_the_digest_once_a_day_with_what_matters(engine) -> None:
    ids = seed_cases(engine, [mention("1", rating=1.0), mention("2"), mention("3")])
    seed_cases(engine, [mention("rival", is_competitor=True, needs_attention=False)])
    with Session(engine) as session:  # one case is past due, one resolved and due a follow-up
        late = session.get(Case, ids[1])
        late.due_at = NOW - timedelta(hours=1)
        done = session.get(Case, ids[2])
        done.status, done.resolved_at = "resolved", NOW - timedelta(days=31)
        done.follow_up_at = NOW - timedelta(days=1)
        session.add_all([late, done])
        session.commit()
    policy = AlertPolicy(digest=True, timezone="Europe/Berlin", sources=("reviews",))
    with SmtpServer() as smtp:
        channel = Channel("team", "email", to=("team@acme.example",), smtp_port=smtp.port)
        report = run_alerts(
            engine, [channel], policy, now=NOW + timedelta(minutes=5),
            case_link=lambda i: f"https://gv.example/?case={i}",
        )  # fmt: skip
        again = run_alerts(engine, [channel], policy, now=NOW + timedelta(hours=3))
        tomorrow = run_alerts(engine, [channel], policy, now=NOW + timedelta(days=1))
    assert report.sent == 1 and again.sent == 0 and tomorrow.sent == 1
    message = smtp.messages[0]
    assert message["Subject"].startswith("[Grapevine] Digest 2026-11-20: 4 new mentions")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "New mentions: 4 (3 about you, 1 about competitors)" in text
    assert "Cases opened: 3 · open now: 2" in text
    assert f"#{ids[0]}  priority" in text and f"https://gv.example/?case={ids[0]}" in text
    assert f"SLA breaches (past due, no first action): 1 — #{ids[1]}" in text
    assert f"Follow-ups due: 1 — #{ids[2]}" in text
    html = message.get_body(("html",)).get_content()
    assert f'<a href="https://gv.example/?case={ids[0]}">' in html
    second = smtp.messages[1].get_body(("plain",)).get_content()
    assert "New mentions: 0" in second  # it covers the time since the previous digest


def test_follow_ups_at_30_60_90_days(engine) -> None:
    [case_id] = seed_cases(engine, [mention("1")])
    case = update_case(
        engine, case_id, version=1, actor="sam", change=Change(status="resolved"),
        follow_up_days=[30, 60, 90],
    )  # fmt: skip
    resolved = case.resolved_at
    assert case.follow_up_at == resolved + timedelta(days=30) and case.follow_ups_done == 0
    with WebhookReceiver() as hook:
        channel = Channel("slack", "webhook", url=hook.url)

        def remind(days_after: float) -> int:
            sent, errors = run_follow_ups(
                engine, [channel], [30, 60, 90], now=resolved + timedelta(days=days_after)
            )
            assert errors == []
            return sent

        assert remind(29) == 0
        assert remind(30.1) == 1 and remind(31) == 0
        assert get_case(engine, case_id).follow_up_at == resolved + timedelta(days=60)
        assert remind(60.5) == 1
        assert remind(90.5) == 1 and remind(400) == 0
    texts = [json.loads(r["body"])["text"] for r in hook.requests]
    assert len(texts) == 3
    for text, days in zip(texts, (30, 60, 90), strict=True):
        assert f"#{case_id}  {days}-day follow-up" in text
    final = get_case(engine, case_id)
    assert final.follow_ups_done == 3 and final.follow_up_at is None
    with Session(engine) as session:
        events = session.exec(
            select(CaseEvent.message).where(
                CaseEvent.kind == "follow_up", CaseEvent.case_id == case_id
            )
        ).all()
    assert events == [
        "30-day follow-up reminder sent",
        "60-day follow-up reminder sent",
        "90-day follow-up reminder sent",
    ]


def test_reopening_clears_the_follow_up_and_an_old_case_gets_one_reminder(engine) -> None:
    first, old = seed_cases(engine, [mention("1"), mention("2")])
    case = update_case(engine, first, version=1, actor="sam", change=Change(status="resolved"))
    reopened = update_case(
        engine, first, version=case.version, actor="sam", change=Change(status="in_progress")
    )
    assert reopened.follow_up_at is None
    with Session(engine) as session:  # resolved 100 days ago, before follow-ups existed
        row = session.get(Case, old)
        row.status, row.resolved_at = "resolved", NOW - timedelta(days=100)
        session.add(row)
        session.commit()
    with WebhookReceiver() as hook:
        sent, _ = run_follow_ups(
            engine, [Channel("s", "webhook", url=hook.url)], [30, 60, 90], now=NOW
        )
        assert sent == 1
        assert (
            run_follow_ups(engine, [Channel("s", "webhook", url=hook.url)], [30, 60, 90], now=NOW)[
                0
            ]
            == 0
        )
    assert "90-day follow-up" in json.loads(hook.requests[0]["body"])["text"]
    assert get_case(engine, old).follow_ups_done == 3


def test_without_a_channel_nothing_is_lost(engine) -> None:
    [case_id] = seed_cases(engine, [mention("1")])
    case = update_case(engine, case_id, version=1, actor="sam", change=Change(status="resolved"))
    later = case.resolved_at + timedelta(days=31)
    assert run_follow_ups(engine, [], [30, 60, 90], now=later) == (0, [])
    with WebhookReceiver(plan=[500]) as hook:
        sent, errors = run_follow_ups(
            engine, [Channel("s", "webhook", url=hook.url)], [30, 60, 90], now=later
        )
    assert sent == 0 and errors == ["s: HTTP 500"]
    assert get_case(engine, case_id).follow_ups_done == 0  # still due next time

"""The support-queue export against real local receivers: signed webhooks, retries, rules."""

import json
import threading
from datetime import timedelta

from helpers.cases import NOW, mention, seed_cases
from helpers.receiver import WebhookReceiver
from sqlmodel import Session, select

from storage.models import Case, CaseEvent, Export
from triage.export.ledger import request_send
from triage.export.payload import delivery_key
from triage.export.run import export_pending
from triage.export.targets import FileTarget, RetryPolicy, Rules, WebhookTarget

SECRET = "whsec-correct-horse-battery-staple"


def ledger(engine) -> dict[tuple[int, str], Export]:
    with Session(engine) as session:
        return {(e.case_id, e.target): e for e in session.exec(select(Export)).all()}


def link(case_id: int) -> str:
    return f"https://grapevine.example/?case={case_id}"


def test_a_signed_webhook_per_case_once(engine) -> None:
    ids = seed_cases(engine, [mention("1", customer=None), mention("2", rating=1.0)])
    with WebhookReceiver(secret=SECRET) as hook:
        target = WebhookTarget(
            "helpdesk",
            hook.url,
            secret=SECRET,
            headers={"X-Team": "care", "Authorization": "Bearer t0k3n"},
        )
        report = export_pending(engine, [target], case_link=link, clock=lambda: NOW)
        again = export_pending(engine, [target], case_link=link, clock=lambda: NOW)
    assert (report.sent, report.failed, report.waiting) == (2, 0, 0)
    assert (again.sent, again.targets[0].queued) == (0, 0)
    assert hook.bad_signatures == 0 and len(hook.requests) == 2
    first = hook.requests[0]
    assert first["headers"]["x-team"] == "care"
    assert first["headers"]["authorization"] == "Bearer t0k3n"
    assert first["headers"]["content-type"].startswith("application/json")
    payload = json.loads(first["body"])
    assert first["headers"]["idempotency-key"] == payload["delivery_id"]
    for key in (
        "case_id", "mention_url", "source", "author", "text", "rating", "sentiment",
        "complaint", "aspects", "priority", "customer", "case_url",
    ):  # fmt: skip
        assert key in payload
    assert payload["case_url"] == link(payload["case_id"])
    assert {p["case_id"] for p in hook.stored.values()} == set(ids)
    rows = ledger(engine)
    for case_id in ids:
        row = rows[(case_id, "helpdesk")]
        assert row.state == "sent" and row.attempts == 1
        assert row.reference == f"id T-{case_id}"
    with Session(engine) as session:
        events = session.exec(select(CaseEvent).where(CaseEvent.kind == "export")).all()
    assert sorted(e.message for e in events) == ["sent to helpdesk", "sent to helpdesk"]


def test_failures_back_off_and_a_late_success_is_not_stored_twice(engine) -> None:
    seed_cases(engine, [mention("a"), mention("b"), mention("c")])
    retry = RetryPolicy(base=timedelta(minutes=5), cap=timedelta(hours=6), stop_after=2)
    now = [NOW]
    # two 500s, then a reply slower than the timeout (processed late), then all fine
    # timeouts with headroom: a loaded 2-core CI machine can take 0.4 s for a plain answer
    with WebhookReceiver(plan=[500, 500, "slow", "ok"], slow_seconds=3.0) as hook:
        target = WebhookTarget("hook", hook.url, timeout=1.5)

        def run():
            return export_pending(engine, [target], retry=retry, clock=lambda: now[0])

        first = run()
        assert (first.sent, first.failed, first.waiting) == (0, 2, 3)
        assert first.targets[0].stopped and first.targets[0].errors == [
            "HTTP 500 Internal Server Error"
        ]
        failed = [e for e in ledger(engine).values() if e.state == "failed"]
        assert {e.next_attempt_at for e in failed} == {NOW + timedelta(minutes=5)}

        now[0] = NOW + timedelta(minutes=1)  # the third case was not tried yet: it times out
        second = run()
        assert (second.sent, second.failed) == (0, 1)
        assert second.targets[0].errors == ["timed out after 1.5 s"]

        now[0] = NOW + timedelta(minutes=20)  # every backoff has passed
        third = run()
        assert (third.sent, third.failed, third.waiting) == (3, 0, 0)
        # wait until the slow request has been processed late by the receiver
        threading.Event().wait(3.0)
    keys = [r["headers"]["idempotency-key"] for r in hook.requests]
    assert len(keys) == 6 and len(set(keys)) == 3
    assert len(hook.stored) == 3  # the late one was acknowledged twice, stored once
    assert sorted(e.attempts for e in ledger(engine).values()) == [2, 2, 2]


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base=timedelta(minutes=5), cap=timedelta(hours=6))
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40)
    ]
    assert policy.delay(10) == policy.delay(1000) == timedelta(hours=6)


def test_a_target_down_for_days_gets_every_case_once_when_back(engine) -> None:
    ids = seed_cases(engine, [mention(str(i)) for i in range(5)])
    with WebhookReceiver() as gone:
        dead_url = gone.url
    retry = RetryPolicy(stop_after=3)
    for day in range(3):
        clock = NOW + timedelta(days=day)
        report = export_pending(
            engine, [WebhookTarget("crm", dead_url)], retry=retry, clock=lambda c=clock: c
        )
        assert report.sent == 0 and report.failed == 3 and report.waiting == 5
        assert report.targets[0].errors == ["connection failed (ConnectionRefusedError)"]
    with WebhookReceiver() as back:
        report = export_pending(
            engine,
            [WebhookTarget("crm", back.url)],
            retry=retry,
            clock=lambda: NOW + timedelta(days=3),
        )
    assert (report.sent, report.failed, report.waiting) == (5, 0, 0)
    assert sorted(p["case_id"] for p in back.stored.values()) == sorted(ids)
    assert len(back.requests) == 5


def test_rules_decide_which_cases_go_where(engine, tmp_path) -> None:
    ids = seed_cases(
        engine,
        [
            mention("complaint-5star", rating=5.0, complaint=True, aspects=["delivery"]),
            mention("angry-1star", rating=1.0, complaint=False, aspects=["app"]),
            mention("meh-3star", rating=3.0, complaint=False, aspects=["price"], source="forum"),
            mention("rival", rating=1.0, is_competitor=True, brand="Globex"),
        ],
    )
    complaint5, angry1, meh3, rival = ids
    targets = [
        FileTarget("all", tmp_path / "all.jsonl"),
        FileTarget(
            "unhappy",
            tmp_path / "unhappy.jsonl",
            rules=Rules(complaint=True, max_rating=2, any_of=True, brand="own"),
        ),
        FileTarget("strict", tmp_path / "strict.jsonl", rules=Rules(complaint=True, max_rating=2)),
        FileTarget("forum", tmp_path / "forum.jsonl", rules=Rules(sources=("forum",))),
        FileTarget("delivery", tmp_path / "d.jsonl", rules=Rules(aspects=("delivery", "x"))),
        FileTarget("rivals", tmp_path / "r.jsonl", rules=Rules(brand="competitor")),
    ]
    export_pending(engine, targets)

    def got(name: str) -> set[int]:
        return {c for (c, t), e in ledger(engine).items() if t == name and e.state == "sent"}

    assert got("all") == set(ids)
    assert got("unhappy") == {complaint5, angry1}
    assert got("strict") == {rival}  # the plain default is brand="any"; the config says "own"
    assert got("forum") == {meh3}
    assert got("delivery") == {complaint5}
    assert got("rivals") == {rival}
    lines = (tmp_path / "unhappy.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["case_id"] for line in lines) == sorted(got("unhappy"))
    assert targets[1].rules.describe() == "your brand's cases: complaints or rating ≤ 2"


def test_only_open_cases_are_queued_and_a_hand_sent_case_goes_again_with_a_new_key(
    engine, tmp_path
) -> None:
    open_id, closed_id = seed_cases(engine, [mention("open"), mention("closed")])
    with Session(engine) as session:
        case = session.get(Case, closed_id)
        case.status = "resolved"
        session.add(case)
        session.commit()
    target = FileTarget("drop", tmp_path / "drop.jsonl")
    assert export_pending(engine, [target]).sent == 1
    # by hand: the resolved case, and the open one again
    request_send(engine, closed_id, "drop", actor="sam")
    request_send(engine, open_id, "drop", actor="sam")
    assert export_pending(engine, [target]).sent == 2
    lines = [json.loads(line) for line in (tmp_path / "drop.jsonl").read_text().splitlines()]
    assert lines[0]["case_id"] == open_id
    assert sorted(x["case_id"] for x in lines[1:]) == sorted([open_id, closed_id])
    keys = {x["delivery_id"] for x in lines}
    assert len(keys) == 3 and lines[0]["delivery_id"] + ".r1" in keys


def test_dry_run_sends_nothing_and_says_what_would_go_where(engine, tmp_path) -> None:
    ids = seed_cases(engine, [mention("1"), mention("2", rating=5.0, complaint=False)])
    targets = [
        FileTarget("drop", tmp_path / "drop.csv", format="csv"),
        FileTarget("low", tmp_path / "low.csv", format="csv", rules=Rules(max_rating=2)),
    ]
    report = export_pending(engine, targets, dry_run=True)
    assert not (tmp_path / "drop.csv").exists() and ledger(engine) == {}
    plan = {t.name: [(p.case_id, p.reason) for p in t.planned] for t in report.targets}
    assert sorted(plan["drop"]) == sorted((i, "new") for i in ids)
    assert plan["low"] == [(ids[0], "new")]


def test_two_exporters_at_once_send_each_case_once(engine) -> None:
    seed_cases(engine, [mention(str(i)) for i in range(12)])
    with WebhookReceiver(plan=["slow"], slow_seconds=0.05) as hook:
        target = WebhookTarget("hook", hook.url)
        reports = []

        def work() -> None:
            reports.append(export_pending(engine, [target], clock=lambda: NOW))

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sum(r.sent for r in reports) == 12
    assert len(hook.requests) == 12 and len(hook.stored) == 12


def test_the_delivery_key_is_stable_per_row_and_new_per_resend() -> None:
    key = delivery_key(12, "helpdesk", NOW)
    assert key == "case-12.helpdesk.20261120T090000"
    assert delivery_key(12, "helpdesk", NOW + timedelta(microseconds=5)) == key
    assert delivery_key(12, "helpdesk", NOW, resends=2) == key + ".r2"

"""Flood control: one noisy source cannot flood the queue; what waits is kept and said once."""

import json
from dataclasses import replace
from pathlib import Path

from helpers.cases import NOW, mention
from helpers.receiver import WebhookReceiver
from sqlmodel import Session, select

from grapevine.config import parse_config
from grapevine.job import JobSummary, triage_step
from storage.mentions import upsert_mentions
from storage.models import Alert, Case, Mention
from triage.opening import open_new_cases
from triage.policy import TriagePolicy


def noisy(n: int, source: str = "news-alerts") -> list[dict]:
    """``n`` mentions of one source needing attention, of varied priority."""
    return [
        mention(f"{source}-{i}", source=source, sentiment=-((i * 37) % 100) / 100, reach=i % 50)
        for i in range(n)
    ]


def priorities(engine, source: str = "news-alerts") -> dict[int, float]:
    with Session(engine) as session:
        rows = session.exec(
            select(Case.mention_id, Case.priority)
            .join(Mention, Mention.id == Case.mention_id)
            .where(Mention.source == source)
        ).all()
    return dict(rows)


def test_a_source_over_the_cap_gets_its_best_cases_and_the_rest_waits(engine) -> None:
    upsert_mentions(engine, noisy(130) + [mention("r1"), mention("r2")])
    policy = TriagePolicy(max_new_cases_per_source=50)
    first = open_new_cases(engine, policy, now=NOW, batch=16)  # several batches
    assert first.needing == {"news-alerts": 130, "reviews": 2}
    assert first.waiting == {"news-alerts": 80}
    assert len(first.opened) == 52 and first.opened_for("news-alerts") == 50
    opened = priorities(engine)
    # the waiting ones are still stored and flagged; opened without a cap, none beats the 50
    with Session(engine) as session:
        flagged = session.exec(select(Mention).where(Mention.needs_attention)).all()
    assert len(flagged) == 132
    second = open_new_cases(engine, policy, now=NOW, batch=16)  # the next run: the next 50
    assert second.waiting == {"news-alerts": 30} and len(second.opened) == 50
    rest = open_new_cases(engine, replace(policy, max_new_cases_per_source=0), now=NOW)
    assert rest.waiting == {} and len(rest.opened) == 30
    every = priorities(engine)
    later = [p for m, p in every.items() if m not in opened]
    assert len(opened) == 50 and len(later) == 80
    assert min(opened.values()) >= max(later) - 1e-9  # highest priority first
    assert len(every) == 130


def test_one_flood_alert_per_source_and_run_and_the_summary_says_so(engine) -> None:
    upsert_mentions(engine, noisy(60) + noisy(45, "forum") + [mention("r1")])
    with WebhookReceiver() as hook:
        settings = parse_config(
            {
                "brand": {"name": "Acme"},
                "triage": {"max_new_cases_per_source": 20, "competitor_cases": True},
                "alerts": {"channels": [{"type": "webhook", "name": "team", "url": hook.url}]},
            },
            Path("grapevine.toml"),
        )
        summary = JobSummary()
        triage_step(settings, engine, summary)
    texts = [json.loads(r["body"])["text"] for r in hook.requests]
    assert len(texts) == 2
    assert texts[0].startswith(
        "flood: 45 mentions needing attention from forum; 20 cases opened, 25 waiting"
    )
    assert texts[1].startswith(
        "flood: 60 mentions needing attention from news-alerts; 20 cases opened, 40 waiting"
    )
    assert summary.cases_opened == 41 and summary.alerts_sent == 2
    assert summary.floods == {
        "forum": {"needing": 45, "opened": 20, "waiting": 25},
        "news-alerts": {"needing": 60, "opened": 20, "waiting": 40},
    }
    assert summary.as_dict()["cases_waiting"] == 65 and not summary.failed
    with Session(engine) as session:
        alerts = session.exec(select(Alert).where(Alert.kind == "flood")).all()
    assert sorted(a.key for a in alerts) == ["forum", "news-alerts"]


def test_no_cap_opens_everything(engine) -> None:
    upsert_mentions(engine, noisy(70))
    report = open_new_cases(engine, TriagePolicy(max_new_cases_per_source=0), now=NOW, batch=25)
    assert len(report.opened) == 70 and report.waiting == {}

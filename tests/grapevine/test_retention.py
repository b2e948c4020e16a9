"""Retention with a fake clock: what is past each window goes, the rest stays, counts add up,
and a preview (``--dry-run``) changes nothing (SQLite and PostgreSQL)."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from helpers.cases import NOW, mention, seed_cases
from sqlalchemy import Engine, func, select, text, update
from sqlmodel import Session

from grapevine.cli import cli
from grapevine.config import parse_config
from grapevine.job import JobSummary
from grapevine.retention import retention_step, run_retention
from storage.audit import list_audit, record_audit
from storage.mentions import upsert_mentions
from storage.models import (
    Case,
    CrawlRun,
    Customer,
    CustomerLink,
    Mention,
    MentionDay,
    QuarantinedItem,
)
from storage.types import utcnow
from triage.cases import Change, get_case, update_case

WINDOWS = {
    "mention_text_days": 60,
    "closed_case_days": 90,
    "raw_payload_days": 30,
    "crawl_run_days": 180,
    "audit_days": 365,
}
TABLES = (
    "mention",
    "mention_revision",
    "triage_case",
    "case_event",
    "customer_link",
    "crawl_run",
    "audit_event",
    "quarantine",
)


def settings(tmp_path: Path, **windows: Any):
    return parse_config(
        {"brand": {"name": "Acme"}, "retention": {**WINDOWS, **windows}},
        tmp_path / "grapevine.toml",
        env={},
    )


def seed(engine: Engine, now: datetime) -> dict[str, int]:
    """Four mentions at different ages, cases, a link, crawl runs and audit rows."""

    def at(days: float) -> datetime:
        return now - timedelta(days=days)

    rows = [
        mention("old", published_at=at(400), fetched_at=at(400), raw={"id": "old"}),
        mention("textold", published_at=at(100), fetched_at=at(100), raw={"id": "t"}),
        mention("rawold", published_at=at(10), fetched_at=at(40), raw={"id": "r"}),
        mention("fresh", published_at=at(1), fetched_at=at(1), raw={"id": "f"}),
    ]
    ids = dict(zip(["old", "textold", "rawold", "fresh"], seed_cases(engine, rows), strict=True))
    # an edit of textold: its earlier version is kept as a revision
    upsert_mentions(engine, [{**rows[1], "text": "Edited: still no refund", "content_hash": "e"}])
    for name in ("old", "fresh"):
        case = get_case(engine, ids[name])
        assert case is not None
        update_case(
            engine,
            ids[name],
            version=case.version,
            actor="sam",
            change=Change(status="resolved", assignee="sam", note="Refunded Maria"),
        )
    with Session(engine) as session:
        session.add(Customer(external_id="c1", name="Maria Lopez"))
        session.commit()
        customer = session.scalars(select(Customer)).one()
        old_mention = session.scalars(select(Mention).where(Mention.external_id == "old")).one()
        session.add(CustomerLink(mention_id=old_mention.id, customer_id=customer.id, method="name"))
        for source, days in (("reviews", 400), ("reviews", 300), ("reviews", 1), ("gone", 500)):
            session.add(CrawlRun(source=source, source_type="schemaorg", started_at=at(days)))
        for resolved in (at(200), at(1), None):  # stored long ago, lately, still waiting
            session.add(
                QuarantinedItem(
                    source="reviews",
                    stage="store",
                    reason="DataError",
                    item={"text": "Maria's review"},
                    created_at=at(300),
                    resolved_at=resolved,
                )
            )
        session.commit()
    with engine.begin() as conn:
        conn.execute(
            update(Case.__table__)  # type: ignore[attr-defined]
            .where(Case.__table__.c.id == ids["old"])  # type: ignore[attr-defined]
            .values(resolved_at=at(200))
        )
        record_audit(conn, actor="ana", action="signin", at=at(800))
        record_audit(conn, actor="ana", action="signin", at=at(2))
    return ids


def snapshot(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
            for t in TABLES
        }


def totals(engine: Engine) -> tuple[Any, ...]:
    with engine.connect() as conn:
        counts = conn.execute(
            select(func.sum(MentionDay.mentions), func.sum(MentionDay.attention))
        ).one()
        cases = conn.scalar(select(func.count()).select_from(Case))
    return (*counts, cases)


def mentions(engine: Engine) -> dict[str, Mention]:
    with Session(engine) as session:
        return {m.external_id: m for m in session.scalars(select(Mention))}


def test_each_window_removes_only_what_is_past_it(engine: Engine, tmp_path: Path) -> None:
    ids = seed(engine, NOW)
    cfg = settings(tmp_path)
    before, stats = snapshot(engine), totals(engine)
    with engine.connect() as conn:
        old_events = conn.scalar(
            text("SELECT count(*) FROM case_event WHERE case_id = :c"), {"c": ids["old"]}
        )

    preview = run_retention(cfg, engine, now=NOW, dry_run=True)
    assert snapshot(engine) == before  # a preview changes nothing, not even the audit trail

    run = run_retention(cfg, engine, now=NOW)
    assert (
        run.counts
        == preview.counts
        == {
            "closed_cases": 1,
            "case_events": old_events,
            "customer_links": 1,
            "mention_texts": 1,
            "mention_revisions": 1,
            "raw_payloads": 1,
            "crawl_runs": 2,
            "quarantined_items": 1,
            "audit_rows": 1,
        }
    )
    assert old_events >= 3  # opened, status, assigned, note…

    found = mentions(engine)
    old = found["old"]  # the closed case's mention: anonymised, scores kept
    assert (old.author, old.author_handle, old.text, old.title, old.url, old.raw) == (
        None, None, "", None, None, {},
    )  # fmt: skip
    assert old.sentiment == -0.6 and old.rating == 2.0 and old.needs_attention
    textold = found["textold"]
    assert (textold.text, textold.raw) == ("", {}) and textold.author == "Author textold"
    assert textold.label == "negative" and textold.aspects == ["billing"]
    rawold = found["rawold"]
    assert rawold.raw == {} and rawold.text.startswith("Still waiting")
    fresh = found["fresh"]
    assert fresh.raw == {"id": "f"} and fresh.text.startswith("Still waiting")

    old_case = get_case(engine, ids["old"])
    fresh_case = get_case(engine, ids["fresh"])
    assert old_case is not None and fresh_case is not None
    assert old_case.status == "resolved" and old_case.assignee is None
    assert fresh_case.assignee == "sam"
    after = snapshot(engine)
    assert len(after["case_event"]) == len(before["case_event"]) - old_events
    assert all(row[1] != ids["old"] for row in after["case_event"])
    assert sorted(r[1] for r in after["crawl_run"]) == ["gone", "reviews"]  # newest kept
    assert len(after["quarantine"]) == 2  # the one stored lately and the one still waiting
    assert totals(engine) == stats  # brand health and case counts still add up

    with engine.connect() as conn:
        trail = list_audit(conn)
    assert not any(r["at"] < NOW - timedelta(days=365) for r in trail)
    ran = [r for r in trail if r["action"] == "retention"]
    assert len(ran) == 1 and ran[0]["detail"]["crawl_runs"] == 2
    assert "Maria" not in repr(trail)

    again = run_retention(cfg, engine, now=NOW)  # nothing left to remove
    assert again.total == 0


def test_windows_left_out_keep_everything(sqlite_engine: Engine, tmp_path: Path) -> None:
    seed(sqlite_engine, NOW)
    keep = {k: None for k in WINDOWS}
    before = snapshot(sqlite_engine)
    run = run_retention(settings(tmp_path, **keep), sqlite_engine, now=NOW)
    assert run.total == 0
    after = snapshot(sqlite_engine)
    assert {t: after[t] for t in TABLES if t != "audit_event"} == {
        t: before[t] for t in TABLES if t != "audit_event"
    }
    assert len(after["audit_event"]) == len(before["audit_event"]) + 1  # the run's own row


def test_the_command_previews_and_applies_and_the_job_step_reports(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine, utcnow())
    url = engine.url.render_as_string(hide_password=False)
    config = tmp_path / "grapevine.toml"
    windows = "\n".join(f"{k} = {v}" for k, v in WINDOWS.items())
    config.write_text(f'[brand]\nname = "Acme"\n\n[retention]\n{windows}\n')
    before = snapshot(engine)

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(
            cli, ["retention", "--config", str(config), *args], env={"GRAPEVINE_DATABASE_URL": url}
        )
        assert result.exit_code == 0, result.output
        return result.output

    out = invoke("--dry-run")
    assert "Would remove" in out and "1  closed cases anonymised" in out
    assert "2  crawl runs deleted" in out and "Nothing was changed" in out
    assert snapshot(engine) == before
    out = invoke()
    assert out.startswith("Removed") and "1  raw payloads emptied" in out
    with engine.connect() as conn:
        (row,) = list_audit(conn, action="retention")
    assert row["actor"].startswith("cli:")

    summary = JobSummary()
    retention_step(settings(tmp_path), engine, summary)
    assert summary.retention == {} and "retention" in summary.as_dict()


def test_a_bad_window_is_one_line_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "grapevine.toml"
    config.write_text('[brand]\nname = "Acme"\n\n[retention]\nraw_payload_days = 0\n')
    result = CliRunner().invoke(cli, ["retention", "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {config}: retention.raw_payload_days: expected greater than or equal to 1 (got 0)"
    )

"""Spike and source-health checks; each returns the notices to send (already de-duplicated).

* **Spike**: the own brand's mentions needing attention published in the last 24 hours,
  against the daily average of the ``spike_baseline_days`` before. It fires when the count is
  at least ``spike_min_count`` and above ``spike_factor`` × the baseline, then stays quiet
  for ``spike_cooldown`` (one spike, one alert).
* **Failing source**: its last ``failed_runs`` crawls failed. One alert per episode: not
  again until the source has had a good run.
* **Silent source**: a source that usually brings something new every *d* (the median gap
  between its productive runs) has brought nothing for ``silence_factor`` × *d*, over at least
  two clean runs. One alert per episode: not again until it brings something.
* **Flood**: a source brought more mentions needing attention than one run opens cases
  for (``[triage] max_new_cases_per_source``). One alert per source and run, saying how
  many wait (:func:`flood_notices`, sent by the job's triage step).
"""

import statistics
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import Engine

from storage.alerts import alerted_since, attention_mentions
from storage.models import CrawlRun
from storage.runs import recent_runs
from storage.types import as_utc
from triage.alerts import AlertPolicy, Notice, last_alert
from triage.opening import Opening

WINDOW = timedelta(hours=24)
FAILED = ("failed", "interrupted")


def _alerted_since(engine: Engine, kind: str, key: str, since: datetime | None) -> bool:
    with engine.connect() as conn:
        return alerted_since(conn, kind=kind, key=key, since=since)


def _top(counter: Counter[str], n: int = 3) -> str:
    return ", ".join(f"{name} {count}" for name, count in counter.most_common(n)) or "none"


def spike_notice(engine: Engine, policy: AlertPolicy, *, now: datetime) -> Notice | None:
    """A spike alert, when mentions needing attention are well above their baseline."""
    window_start = now - WINDOW
    base_start = window_start - timedelta(days=policy.spike_baseline_days)
    with engine.connect() as conn:
        rows = attention_mentions(conn, since=base_start, until=now)
    recent = [r for r in rows if as_utc(r.published_at) >= window_start]  # type: ignore[operator]
    count = len(recent)
    baseline = (len(rows) - count) / policy.spike_baseline_days
    if count < policy.spike_min_count or count <= policy.spike_factor * baseline:
        return None
    last = last_alert(engine, "spike", "attention")
    if last is not None and now - last < policy.spike_cooldown:
        return None
    aspects = Counter(a for r in recent for a in (r.aspects or []))
    sources = Counter(r.source for r in recent)
    if baseline > 0:
        versus = (
            f"{count / baseline:.1f}× the usual {baseline:.1f} a day "
            f"(average of the {policy.spike_baseline_days} days before)"
        )
    else:
        versus = f"none in the {policy.spike_baseline_days} days before"
    lines = [
        f"Spike: {count} mentions needing attention in the last 24 hours — {versus}.",
        f"Top aspects: {_top(aspects)}",
        f"Top sources: {_top(sources)}",
    ]
    if policy.queue_url:
        lines.append(f"The queue: {policy.queue_url}")
    return Notice(
        kind="spike",
        key="attention",
        subject=f"[Grapevine] Spike: {count} mentions needing attention in 24 h",
        text="\n".join(lines),
        data={
            "count": count,
            "baseline_per_day": round(baseline, 2),
            "aspects": dict(aspects.most_common(5)),
            "sources": dict(sources.most_common(5)),
        },
    )


def _failing(
    engine: Engine, source: str, runs: list[CrawlRun], policy: AlertPolicy
) -> Notice | None:
    streak = 0
    for run in runs:
        if run.status not in FAILED:
            break
        streak += 1
    if streak < policy.failed_runs:
        return None
    good = next((r for r in runs if r.status not in FAILED), None)
    if _alerted_since(engine, "source_failing", source, as_utc(good.started_at) if good else None):
        return None
    reason = (runs[0].error_summary or runs[0].finish_reason or "no reason recorded")[:200]
    return Notice(
        kind="source_failing",
        key=source,
        subject=f"[Grapevine] Source {source} failed {streak} runs in a row",
        text=(
            f"Source {source} failed its last {streak} runs in a row. Latest reason: {reason}\n"
            f"Nothing is collected from it until it is fixed (`grapevine crawl --source "
            f"{source} -v` shows the details)."
        ),
        data={"source": source, "failed_runs": streak},
    )


def _silent(
    engine: Engine, source: str, runs: list[CrawlRun], policy: AlertPolicy, now: datetime
) -> Notice | None:
    productive = [as_utc(r.started_at) for r in runs if r.items_new > 0]
    if len(productive) < 3:
        return None  # not enough history to know what is usual
    last_new = productive[0]
    assert last_new is not None
    gaps = [
        (a - b).total_seconds()  # type: ignore[operator]
        for a, b in zip(productive[:10], productive[1:11], strict=False)
    ]
    usual = timedelta(seconds=max(statistics.median(gaps), 3600))
    empty = [
        r
        for r in runs
        if as_utc(r.started_at) > last_new and r.status in ("ok", "partial")  # type: ignore[operator]
    ]
    quiet = now - last_new
    if len(empty) < 2 or quiet <= policy.silence_factor * usual:
        return None
    if _alerted_since(engine, "source_silent", source, last_new):
        return None
    return Notice(
        kind="source_silent",
        key=source,
        subject=f"[Grapevine] Source {source} has been silent for {_days(quiet)}",
        text=(
            f"Source {source} has brought nothing new for {_days(quiet)} ({len(empty)} runs "
            f"without a new mention); it usually does every {_days(usual)}. Check that it "
            "still works (a changed page, a blocked crawler) — or people simply went quiet."
        ),
        data={"source": source, "quiet_hours": round(quiet.total_seconds() / 3600, 1)},
    )


def _days(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"


def silence_notices(engine: Engine, policy: AlertPolicy, *, now: datetime) -> list[Notice]:
    """Alerts for configured sources that failed several runs in a row or went silent."""
    notices = []
    for source in policy.sources:
        runs = [r for r in recent_runs(engine, source, limit=60) if r.status != "running"]
        if not runs:
            continue
        notice = _failing(engine, source, runs, policy) or _silent(
            engine, source, runs, policy, now
        )
        if notice is not None:
            notices.append(notice)
    return notices


def flood_notices(opening: Opening, *, queue_url: str | None = None) -> list[Notice]:
    """One alert per source whose mentions needing attention went over the cap this run."""
    notices = []
    for source, waiting in sorted(opening.waiting.items()):
        needing, opened = opening.needing[source], opening.opened_for(source)
        text = (
            f"flood: {needing:,} mentions needing attention from {source}; "
            f"{opened:,} cases opened, {waiting:,} waiting"
        )
        lines = [
            text,
            "The highest-priority ones were opened; the rest stay flagged and are opened by "
            "the next runs (raise [triage] max_new_cases_per_source to open more at once, or "
            "check whether the source is noisy).",
        ]
        if queue_url:
            lines.append(f"The queue: {queue_url}")
        notices.append(
            Notice(
                kind="flood",
                key=source,
                subject=f"[Grapevine] Flood from {source}: {waiting:,} mentions waiting",
                text="\n".join(lines),
                data={"source": source, "needing": needing, "opened": opened, "waiting": waiting},
            )
        )
    return notices

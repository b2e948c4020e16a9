"""The daily job: crawl every source, analyse, open cases, export, alert, and report.

``run_job`` runs the steps in order; a failing step is logged and recorded and the steps after
it still run (a broken export target must not stop cases from opening). The crawl happens in
this process, so call it once per process (``grapevine run`` is one process per run). When a
stop is requested (SIGTERM/SIGINT, :mod:`grapevine.stopping`) the current step finishes and
the others are skipped; the JobRun says ``interrupted``.

**The run lock is checked before every step** (:meth:`grapevine.locks.RunLock.ensure` on the
``run`` lock this process holds, :func:`grapevine.locks.held`): a lock whose PostgreSQL
connection dropped is taken again when nobody else has it; when another run has it, this
run stops before the step (the error ``lock`` is in the summary, the other steps are
skipped, the exit status is 1) — two runs never work side by side. During the crawl the
lock's own watch thread does the checking and stops the crawl as SIGTERM would.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session

from crawler.progress import Callback as ProgressCallback
from crawler.runner import SourceResult, run_sources
from grapevine import locks, stopping
from grapevine.config import Settings
from grapevine.ops import alerts_now, export_now, flood_alerts_now, follow_ups_now
from grapevine.retention import retention_step
from grapevine.wiring import open_engine, scrapy_settings, source_specs, triage_policy
from storage.models import JobRun
from storage.types import utcnow
from triage.customers import link_new_mentions
from triage.opening import open_new_cases, refresh_priorities

log = logging.getLogger(__name__)


@dataclass
class JobSummary:
    """What one run of the daily job did."""

    sources: list[SourceResult] = field(default_factory=list)
    cases_opened: int = 0
    #: Cases found answered on the platform (the company's reply, or the brand's account).
    cases_answered: int = 0
    #: Per source over the case cap: mentions needing attention, cases opened, waiting.
    floods: dict[str, dict[str, int]] = field(default_factory=dict)
    exports_sent: int = 0
    exports_failed: int = 0
    exports_waiting: int = 0
    alerts_sent: int = 0
    links_suggested: int = 0
    links_confirmed: int = 0
    #: Rows the retention step removed, per part (:mod:`grapevine.retention`).
    retention: dict[str, int] = field(default_factory=dict)
    step_errors: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether any source, step or delivery failed, or steps were skipped (exit status)."""
        return (
            bool(self.step_errors)
            or bool(self.skipped)
            or self.exports_failed > 0
            or any(s.status != "ok" for s in self.sources)
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "sources": [s.as_dict() for s in self.sources],
            "cases_opened": self.cases_opened,
            "cases_answered": self.cases_answered,
            "cases_waiting": sum(f["waiting"] for f in self.floods.values()),
            "floods": self.floods,
            "links_suggested": self.links_suggested,
            "links_confirmed": self.links_confirmed,
            "exports_sent": self.exports_sent,
            "exports_failed": self.exports_failed,
            "exports_waiting": self.exports_waiting,
            "alerts_sent": self.alerts_sent,
            "retention": self.retention,
            "step_errors": self.step_errors,
            "skipped": self.skipped,
            "failed": self.failed,
        }


Step = Callable[[Settings, Engine, JobSummary], None]


def crawl_step(
    settings: Settings,
    engine: Engine,
    summary: JobSummary,
    *,
    names: list[str] | None = None,
    full: bool = False,
    on_done: Callable[[SourceResult], None] | None = None,
    log_level: str = "WARNING",
    on_progress: ProgressCallback | None = None,
) -> None:
    """Crawl the configured sources into storage."""
    specs = source_specs(settings, names)
    if not specs:
        log.info("no enabled sources")
        return
    summary.sources += run_sources(  # after any the caller already failed (preflight)
        specs,
        scrapy_settings(settings, log_level=log_level),
        incremental=not full,
        on_done=on_done,
        on_progress=on_progress,
        progress_interval=settings.crawl.progress_interval,
        install_root_handler=False,  # the CLI configured logging (-v); Scrapy must not reset it
    )


def link_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Link new mentions to known customers: strong evidence confirms, weak evidence suggests."""
    counts = link_new_mentions(
        engine,
        order_pattern=settings.analysis.order_number_pattern,
        min_confidence=settings.analysis.min_link_confidence,
    )
    summary.links_suggested = counts.suggested
    summary.links_confirmed = counts.confirmed


def triage_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Open cases for new mentions that need attention; refresh open cases' priorities.

    At most ``[triage] max_new_cases_per_source`` cases per source and run (flood control);
    a source over it gets one flood alert, and its numbers are in the summary (``floods``).
    """
    opening = open_new_cases(engine, triage_policy(settings))
    summary.cases_opened = len(opening.opened)
    summary.floods = {
        source: {
            "needing": opening.needing[source],
            "opened": opening.opened_for(source),
            "waiting": waiting,
        }
        for source, waiting in opening.waiting.items()
    }
    refresh_priorities(engine)
    if opening.waiting:
        report = flood_alerts_now(settings, engine, opening)
        summary.alerts_sent += report.sent
        for notice in report.notices:
            log.warning("%s", notice.text.splitlines()[0])
        if report.errors:
            raise StepProblem("flood alert: " + "; ".join(report.errors))


class StepProblem(Exception):
    """A step did its work but something in it failed (named in the message)."""


def export_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Send cases to the support-queue targets (exactly once per case and target)."""
    report = export_now(settings, engine)
    summary.exports_sent = report.sent
    summary.exports_failed = report.failed
    summary.exports_waiting = report.waiting
    if report.problems:
        raise StepProblem("; ".join(report.problems))


def helpdesk_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Bring the helpdesk tickets' status back to the cases (``grapevine helpdesk sync``)."""
    from grapevine.helpdesk import describe, sync_now

    report = sync_now(settings, engine)
    for line in describe(report):
        log.info("helpdesk: %s", line)
    errors = [c.detail for c in report.changes if c.what == "error"]
    if report.problems or errors:
        raise StepProblem("helpdesk sync: " + "; ".join([*report.problems, *errors[:3]]))


def alerts_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Spike and silent-source alerts, and the daily digest."""
    report = alerts_now(settings, engine)
    summary.alerts_sent += report.sent
    if report.errors:
        raise StepProblem("; ".join(report.errors))


def answers_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Mark cases answered on the platform, even outside Grapevine (:mod:`triage.replies_found`)."""
    from triage.replies_found import record_platform_answers

    sources = {s.name: s.model_dump(mode="json") for s in settings.sources if s.enabled}
    report = record_platform_answers(engine, sources=sources, environ=settings.env)
    summary.cases_answered = len(report.marked)
    if report.problems:
        raise StepProblem("; ".join(report.problems))


def follow_ups_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Remind the team of resolved cases due a follow-up (30, 60, 90 days)."""
    sent, errors = follow_ups_now(settings, engine)
    summary.alerts_sent += sent
    if errors:
        raise StepProblem("; ".join(errors))


#: The steps after the crawl, in order.
STEPS: list[tuple[str, Step]] = [
    ("link customers", link_step),
    ("triage", triage_step),
    ("answers", answers_step),
    ("export", export_step),
    ("helpdesk", helpdesk_step),
    ("alerts", alerts_step),
    ("follow_ups", follow_ups_step),
    ("retention", retention_step),
]


def run_step(
    name: str, step: Step, settings: Settings, engine: Engine, summary: JobSummary
) -> None:
    """Run one step; a failing one is recorded in ``summary.step_errors`` (the others still
    run). Shared by the in-process job and the cluster's fan-in."""
    try:
        step(settings, engine, summary)
    except StepProblem as exc:
        log.error("step %s: %s", name, exc)
        summary.step_errors[name] = str(exc)
    except Exception as exc:  # a failing step must not stop the others
        log.exception("step %s failed", name)
        summary.step_errors[name] = f"{type(exc).__name__}: {exc}"


def finish_run(
    engine: Engine, run_id: int | None, summary: JobSummary, data: dict[str, Any] | None = None
) -> None:
    """Close a job run's row: its end, its status (interrupted, failed or ok) and ``data``
    (default: the summary's dict)."""
    with engine.begin() as conn:
        conn.execute(
            update(JobRun.__table__)  # type: ignore[attr-defined]
            .where(JobRun.__table__.c.id == run_id)  # type: ignore[attr-defined]
            .values(
                finished_at=utcnow(),
                status="interrupted" if summary.skipped else "failed" if summary.failed else "ok",
                summary=data if data is not None else summary.as_dict(),
            )
        )


def run_job(
    settings: Settings,
    *,
    trigger: str = "manual",
    on_source_done: Callable[[SourceResult], None] | None = None,
    log_level: str = "WARNING",
    engine: Engine | None = None,
    handle_signals: bool = False,
    on_progress: ProgressCallback | None = None,
    failed_sources: list[SourceResult] | None = None,
) -> JobSummary:
    """Run the daily job once and record it as a :class:`JobRun`.

    ``failed_sources``: sources the caller already recorded as failed without crawling them
    (:mod:`grapevine.preflight`); they count in the summary and the JobRun's status.

    Call it holding the ``run`` lock (:class:`grapevine.locks.RunLock`): JobRuns still
    ``running`` are then known to be dead and are marked ``interrupted``. With
    ``handle_signals`` SIGTERM/SIGINT stop the job between steps.
    """
    engine = engine or open_engine(settings)
    summary = JobSummary(sources=list(failed_sources or []))
    with Session(engine) as session:
        session.execute(
            update(JobRun)
            .where(JobRun.status == "running")  # type: ignore[arg-type]
            .values(status="interrupted", finished_at=utcnow())
        )
        run = JobRun(trigger=trigger)
        session.add(run)
        session.commit()
        run_id = run.id
    steps: list[tuple[str, Step]] = [
        (
            "crawl",
            lambda s, e, m: crawl_step(
                s, e, m, on_done=on_source_done, log_level=log_level, on_progress=on_progress
            ),
        ),
        *STEPS,
    ]
    lock = locks.held("run")
    for name, step in steps:
        if not stopping.STOP.requested() and lock is not None:
            try:
                lock.ensure()
            except locks.LockLost as exc:
                log.error("%s; stopping before the %s step", exc, name)
                stopping.STOP.request(str(exc))
        if stopping.STOP.requested():
            summary.skipped.append(name)
            continue
        run_step(name, step, settings, engine, summary)
        if handle_signals:
            stopping.install()  # Scrapy replaces the handlers during a crawl
        if any(s.finish_reason == "shutdown" for s in summary.sources):
            stopping.STOP.request("a signal during the crawl")
    if lock is not None and lock.lost:
        summary.step_errors["lock"] = lock.lost
    if summary.skipped:
        log.warning("stopped (%s); skipped: %s", stopping.STOP.reason, ", ".join(summary.skipped))
    finish_run(engine, run_id, summary)
    return summary

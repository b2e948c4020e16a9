"""The daily job: crawl every source, analyse, open cases, and report.

``run_job`` runs the steps in order; a failing step is logged and recorded and the steps after
it still run (a broken export target must not stop cases from opening). The crawl happens in
this process, so call it once per process (``grapevine run`` is one process per run).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session

from crawler.progress import Callback as ProgressCallback
from crawler.runner import SourceResult, run_sources
from grapevine.config import Settings
from grapevine.wiring import open_engine, scrapy_settings, source_specs, triage_policy
from storage.models import JobRun
from storage.types import utcnow
from triage.cases import open_cases, refresh_priorities

log = logging.getLogger(__name__)


@dataclass
class JobSummary:
    """What one run of the daily job did."""

    sources: list[SourceResult] = field(default_factory=list)
    cases_opened: int = 0
    exports_sent: int = 0
    exports_failed: int = 0
    alerts_sent: int = 0
    links_suggested: int = 0
    step_errors: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """Whether any source or step failed (the process exit status says so)."""
        return bool(self.step_errors) or any(s.status != "ok" for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "sources": [s.as_dict() for s in self.sources],
            "cases_opened": self.cases_opened,
            "links_suggested": self.links_suggested,
            "exports_sent": self.exports_sent,
            "exports_failed": self.exports_failed,
            "alerts_sent": self.alerts_sent,
            "step_errors": self.step_errors,
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
        log.warning("no sources configured")
        return
    summary.sources = run_sources(
        specs,
        scrapy_settings(settings, log_level=log_level),
        incremental=not full,
        on_done=on_done,
        on_progress=on_progress,
        progress_interval=settings.crawl.progress_interval,
        install_root_handler=False,  # the CLI configured logging (-v); Scrapy must not reset it
    )


def triage_step(settings: Settings, engine: Engine, summary: JobSummary) -> None:
    """Open cases for new mentions that need attention; refresh open cases' priorities."""
    summary.cases_opened = len(open_cases(engine, triage_policy(settings)))
    refresh_priorities(engine)


#: The steps after the crawl, in order.
STEPS: list[tuple[str, Step]] = [
    ("triage", triage_step),
]


def run_job(
    settings: Settings,
    *,
    trigger: str = "manual",
    on_source_done: Callable[[SourceResult], None] | None = None,
    log_level: str = "WARNING",
    engine: Engine | None = None,
    on_progress: ProgressCallback | None = None,
) -> JobSummary:
    """Run the daily job once and record it as a :class:`JobRun`."""
    engine = engine or open_engine(settings)
    summary = JobSummary()
    with Session(engine) as session:
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
    for name, step in steps:
        try:
            step(settings, engine, summary)
        except Exception as exc:  # a failing step must not stop the others
            log.exception("step %s failed", name)
            summary.step_errors[name] = f"{type(exc).__name__}: {exc}"
    with engine.begin() as conn:
        conn.execute(
            update(JobRun.__table__)  # type: ignore[attr-defined]
            .where(JobRun.__table__.c.id == run_id)  # type: ignore[attr-defined]
            .values(
                finished_at=utcnow(),
                status="failed" if summary.failed else "ok",
                summary=summary.as_dict(),
            )
        )
    return summary

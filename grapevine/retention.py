"""Retention, applied: ``[retention]`` windows turned into cutoffs, run in one transaction.

The daily job runs :func:`retention_step` after the follow-ups; ``grapevine retention``
previews (``--dry-run``: the same statements, rolled back) or applies it by hand. Every run
that changes the database writes one ``retention`` audit row with the counts, in the same
transaction as the removal.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from grapevine.config import Settings
from grapevine.config_privacy import RetentionConfig
from storage.audit import record_audit
from storage.retention import PARTS, Cutoffs, apply_retention
from storage.types import utcnow

#: What each part is called in the summary and on the command line.
LABELS = {
    "mention_texts": "mention texts blanked",
    "mention_revisions": "earlier versions deleted",
    "raw_payloads": "raw payloads emptied",
    "closed_cases": "closed cases anonymised",
    "case_events": "case timeline entries deleted",
    "customer_links": "customer links deleted",
    "crawl_runs": "crawl runs deleted",
    "quarantined_items": "stored quarantine items deleted",
    "audit_rows": "audit rows deleted",
}


@dataclass(frozen=True)
class RetentionRun:
    """What one retention run removed (or would remove, for a preview)."""

    counts: dict[str, int]
    cutoffs: Cutoffs
    dry_run: bool

    @property
    def total(self) -> int:
        """Rows touched in all."""
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """One line per part that touched anything."""
        return [f"{self.counts[p]:>8,}  {LABELS[p]}" for p in PARTS if self.counts.get(p)]


def cutoffs_for(cfg: RetentionConfig, now: datetime) -> Cutoffs:
    """The cutoffs of ``cfg``'s windows at ``now`` (a window left out: no cutoff)."""

    def before(days: int | None) -> datetime | None:
        return None if days is None else now - timedelta(days=days)

    return Cutoffs(
        mention_text=before(cfg.mention_text_days),
        raw_payload=before(cfg.raw_payload_days),
        closed_case=before(cfg.closed_case_days),
        crawl_run=before(cfg.crawl_run_days),
        audit=before(cfg.audit_days),
    )


def run_retention(
    settings: Settings,
    engine: Engine,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    actor: str = "system",
) -> RetentionRun:
    """Apply ``[retention]`` at ``now`` (default: the clock); ``dry_run`` rolls it back."""
    cutoffs = cutoffs_for(settings.retention, now or utcnow())
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            counts = apply_retention(conn, cutoffs=cutoffs)
            if dry_run:
                transaction.rollback()
            else:
                record_audit(
                    conn,
                    actor=actor,
                    action="retention",
                    subject_type="database",
                    summary=f"{sum(counts.values())} rows past their retention window",
                    detail={k: v for k, v in counts.items() if v},
                    at=now,
                )
                transaction.commit()
        except BaseException:
            transaction.rollback()
            raise
    return RetentionRun(counts=counts, cutoffs=cutoffs, dry_run=dry_run)


def retention_step(settings: Settings, engine: Engine, summary: Any) -> None:
    """The daily job's retention: remove what is past ``[retention]``; the counts go to the
    :class:`grapevine.job.JobSummary` (``summary.retention``)."""
    run = run_retention(settings, engine)
    summary.retention = {k: v for k, v in run.counts.items() if v}

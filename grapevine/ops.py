"""The daily operations around the job: export to the support queue, alerts, follow-ups.

Each function builds the plain values the ``triage`` package takes from the settings
(:mod:`grapevine.wiring`) and runs one operation; ``grapevine run``, ``grapevine export``
and the scheduler's export tick all come through here.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine

from grapevine.config import Settings
from grapevine.locks import RunLock
from grapevine.stopping import STOP
from grapevine.wiring import (
    alert_channels,
    alert_policy,
    case_link,
    export_targets,
    retry_policy,
)
from storage.types import utcnow
from triage.alerts import AlertsReport, send_notice
from triage.alerts_checks import flood_notices
from triage.alerts_run import run_alerts
from triage.export.run import ExportReport, export_pending
from triage.followups import run_follow_ups
from triage.opening import Opening

log = logging.getLogger(__name__)


def export_now(
    settings: Settings,
    engine: Engine,
    *,
    only: str | None = None,
    dry_run: bool = False,
    ignore_backoff: bool = False,
    wait: float = 300.0,
) -> ExportReport:
    """Queue and send what is due to every target (or ``only`` one) under the export lock.

    Holding the lock, no other sender is alive, so a row left ``sending`` was orphaned by a
    sender that died: it is sent again at once, with its key (``lease=0``). A dry run takes
    no lock and changes nothing. Raises :class:`grapevine.locks.Busy` after ``wait`` seconds.
    """
    targets = export_targets(settings)
    kwargs = {
        "retry": retry_policy(settings),
        "case_link": case_link(settings),
        "only": only,
        "ignore_backoff": ignore_backoff,
        "should_stop": STOP.requested,
    }
    if dry_run:
        return export_pending(engine, targets, dry_run=True, **kwargs)  # type: ignore[arg-type]
    with RunLock(engine, "export", wait=wait):
        return export_pending(engine, targets, lease=timedelta(0), **kwargs)  # type: ignore[arg-type]


def alerts_now(settings: Settings, engine: Engine, *, now: datetime | None = None) -> AlertsReport:
    """Spike and source checks, and the daily digest when it is due."""
    return run_alerts(
        engine,
        alert_channels(settings),
        alert_policy(settings),
        now=now or utcnow(),
        case_link=case_link(settings),
    )


def flood_alerts_now(
    settings: Settings, engine: Engine, opening: Opening, *, now: datetime | None = None
) -> AlertsReport:
    """One alert per source over the per-source case cap in this run."""
    report = AlertsReport()
    channels = alert_channels(settings)
    for notice in flood_notices(opening, queue_url=alert_policy(settings).queue_url):
        report.notices.append(notice)
        delivered, errors = send_notice(engine, channels, notice, now=now or utcnow())
        report.sent += int(delivered)
        report.errors += errors
    return report


def follow_ups_now(
    settings: Settings, engine: Engine, *, now: datetime | None = None
) -> tuple[int, list[str]]:
    """Send the follow-up reminders that are due; (messages sent, failures)."""
    return run_follow_ups(
        engine,
        alert_channels(settings),
        settings.triage.follow_up_days,
        now=now or utcnow(),
        case_link=case_link(settings),
    )

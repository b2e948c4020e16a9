"""The daily alerts run: spike and silence checks and the digest, each delivered once.

Kept apart from :mod:`triage.alerts` (channels, notices, delivery), which the checks import,
so that no module imports one that imports it back.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from triage.alerts import AlertPolicy, AlertsReport, Channel, Notice, send_notice
from triage.alerts_checks import silence_notices, spike_notice
from triage.alerts_digest import digest_notice


def run_alerts(
    engine: Engine,
    channels: list[Channel],
    policy: AlertPolicy,
    *,
    now: datetime,
    case_link: Any = None,
) -> AlertsReport:
    """Check for spikes and silent sources and send the digest when it is due."""
    report = AlertsReport()
    candidates: list[Notice | None] = [spike_notice(engine, policy, now=now)]
    candidates += silence_notices(engine, policy, now=now)
    if policy.digest:
        candidates.append(digest_notice(engine, policy, now=now, case_link=case_link))
    for notice in candidates:
        if notice is None:
            continue
        report.notices.append(notice)
        delivered, errors = send_notice(engine, channels, notice, now=now)
        report.sent += int(delivered)
        report.errors += errors
    return report

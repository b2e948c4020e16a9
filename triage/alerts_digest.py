"""The daily digest: what came in, what is urgent, what is late, what is stuck.

Sent once per local day (the schedule's time zone), by the first daily job of the day. It
covers the time since the previous digest (24 hours for the first one): new mentions by
source, cases opened, the top open cases, SLA breaches, follow-ups due, support-queue
deliveries still waiting and sources with problems. Ids, names and links only — no review
text (see :mod:`triage.alerts`).
"""

from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from storage.alerts import digest_counts
from storage.models import OPEN_CASE_STATUSES
from storage.runs import last_runs
from triage.alerts import AlertPolicy, Notice, last_alert
from triage.export.payload import CaseLink
from triage.export.run import ledger_backlog

TOP = 5


def digest_facts(
    engine: Engine, policy: AlertPolicy, *, since: datetime, now: datetime
) -> dict[str, Any]:
    """The numbers of a digest, as data (also kept in the Alert row)."""
    with engine.connect() as conn:
        reads = digest_counts(conn, since=since, now=now, open_statuses=OPEN_CASE_STATUSES, top=TOP)
    mentions, opened, open_count = reads["mentions"], reads["opened"], reads["open_count"]
    top, breaches, follow_ups = reads["top"], reads["breaches"], reads["follow_ups"]
    by_source: Counter[str] = Counter()
    own = competitors = 0
    for source, is_competitor, n in mentions:
        by_source[source] += n
        if is_competitor:
            competitors += n
        else:
            own += n
    runs = last_runs(engine)
    problems = {
        name: (runs[name].error_summary or runs[name].status)[:160]
        for name in policy.sources
        if name in runs and runs[name].status not in ("ok", "running")
    }
    return {
        "since": since.isoformat(),
        "new_mentions": own + competitors,
        "new_own": own,
        "new_competitors": competitors,
        "by_source": dict(by_source.most_common()),
        "cases_opened": int(opened or 0),
        "open_cases": int(open_count or 0),
        "top_cases": [
            {
                "id": r.id,
                "priority": round(r.priority, 2),
                "status": r.status,
                "due_at": r.due_at.isoformat() if r.due_at else None,
                "source": r.source,
                "aspects": list(r.aspects or []),
            }
            for r in top
        ],  # fmt: skip
        "sla_breaches": list(breaches),
        "follow_ups_due": list(follow_ups),
        "exports_waiting": {
            t: {"waiting": v["waiting"], "failing": v["failing"]}
            for t, v in ledger_backlog(engine).items()
        },
        "source_problems": problems,
    }


def _ids(ids: list[int], link: CaseLink) -> str:
    shown = []
    for case_id in ids[:TOP]:
        url = link(case_id)
        shown.append(f"#{case_id}" + (f" {url}" if url else ""))
    more = f" and {len(ids) - TOP} more" if len(ids) > TOP else ""
    return "; ".join(shown) + more


def digest_text(facts: dict[str, Any], local_day: str, link: CaseLink) -> str:
    """The digest as plain text (also the body of the HTML alternative)."""
    lines = [f"Grapevine daily digest, {local_day}", ""]
    by_source = ", ".join(f"{s} {n}" for s, n in facts["by_source"].items()) or "none"
    lines.append(
        f"New mentions: {facts['new_mentions']} ({facts['new_own']} about you, "
        f"{facts['new_competitors']} about competitors) — by source: {by_source}"
    )
    lines.append(f"Cases opened: {facts['cases_opened']} · open now: {facts['open_cases']}")
    if facts["top_cases"]:
        lines += ["", "Top open cases:"]
        for case in facts["top_cases"]:
            url = link(case["id"])
            aspects = ", ".join(case["aspects"]) or "no aspect"
            status = case["status"].replace("_", " ")
            lines.append(
                f"  #{case['id']}  priority {case['priority']:.2f}  {status}"
                f"  {case['source']} ({aspects})" + (f"  {url}" if url else "")
            )
    lines.append("")
    breaches = facts["sla_breaches"]
    lines.append(
        f"SLA breaches (past due, no first action): {len(breaches)}"
        + (f" — {_ids(breaches, link)}" if breaches else "")
    )
    due = facts["follow_ups_due"]
    lines.append(f"Follow-ups due: {len(due)}" + (f" — {_ids(due, link)}" if due else ""))
    waiting = facts["exports_waiting"]
    if waiting:
        lines.append(
            "Support queue, waiting to be delivered: "
            + ", ".join(
                f"{t} {v['waiting']}" + (f" ({v['failing']} failing)" if v["failing"] else "")
                for t, v in sorted(waiting.items())
            )
        )
    if facts["source_problems"]:
        lines.append(
            "Sources with problems: "
            + "; ".join(f"{s}: {why}" for s, why in sorted(facts["source_problems"].items()))
        )
    return "\n".join(lines)


def digest_notice(
    engine: Engine, policy: AlertPolicy, *, now: datetime, case_link: CaseLink | None = None
) -> Notice | None:
    """Today's digest, unless it was already sent today (local time)."""
    local_day = now.astimezone(ZoneInfo(policy.timezone)).date().isoformat()
    if last_alert(engine, "digest", local_day) is not None:
        return None
    previous = last_alert(engine, "digest", None)
    since = previous if previous is not None and previous < now else now - timedelta(hours=24)
    link = case_link or (lambda _case_id: None)
    facts = digest_facts(engine, policy, since=since, now=now)
    return Notice(
        kind="digest",
        key=local_day,
        subject=(
            f"[Grapevine] Digest {local_day}: {facts['new_mentions']} new mentions, "
            f"{facts['cases_opened']} cases opened, {len(facts['sla_breaches'])} past due"
        ),
        text=digest_text(facts, local_day, link),
        data=facts,
    )

"""Words for a crawl's outcome, so that "blocked" never reads like "nothing said", and for
what a source lost: items waiting in the quarantine, with their reasons."""

import re
from typing import Any

BLOCKED = re.compile(
    r"HTTP (401|403|407|429|451)|robots\.txt|captcha|forbidden|rate.?limit|blocked",
    re.IGNORECASE,
)


def verdict(
    status: str | None, new: int, error: str | None, quarantined: int = 0
) -> tuple[str, str]:
    """(what happened in words, tone ``ok``/``warn``/``bad``) for a source's run;
    ``quarantined`` items (of any run, not yet stored) are never ``ok``."""
    label, tone = _verdict(status, new, error)
    if quarantined:
        label += f"; {quarantined} item{'s' if quarantined != 1 else ''} in quarantine"
        tone = "warn" if tone == "ok" else tone
    return label, tone


def quarantine_note(count: int, reasons: list[tuple[str, int]]) -> str:
    """The quarantine in words: ``3 items in quarantine: <reason> ×2, <reason>`` ("" if none)."""
    if not count:
        return ""
    why = ", ".join(reason if n == 1 else f"{reason} ×{n}" for reason, n in reasons)
    head = f"{count} item{'s' if count != 1 else ''} in quarantine"
    return f"{head}: {why}" if why else head


def _verdict(status: str | None, new: int, error: str | None) -> tuple[str, str]:
    if status is None:
        return "never ran", "warn"
    if status == "running":
        return "running now", "ok"
    if status == "interrupted":
        return "interrupted (the process ended first)", "bad"
    blocked = bool(error and BLOCKED.search(error))
    if status == "ok":
        if new:
            return f"ok: {new} new", "ok"
        return "ok: nothing new was said", "ok"
    if status == "partial":
        what = "partly blocked" if blocked else "partial"
        lost = "some items not stored" if error and "quarantine" in error else "some pages failed"
        return f"{what}: {new} new, {lost}", "warn"
    if blocked:
        return "BLOCKED: we could not look", "bad"
    return "FAILED: we could not look", "bad"


def dead_letter_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The cluster's dead crawl tasks (:func:`storage.cluster.dead_tasks`), one line each:
    ``reddit — day 2026-12-01T07:00Z, 3 attempts: <last error>``."""
    return [
        f"{r['source']} — day {r['day_id']}, {r['attempts']} attempt"
        f"{'s' if r['attempts'] != 1 else ''}: {r['last_error'] or 'no error recorded'}"
        for r in rows
    ]

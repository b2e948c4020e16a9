"""Words for a crawl's outcome, so that "blocked" never reads like "nothing said"."""

import re

BLOCKED = re.compile(
    r"HTTP (401|403|407|429|451)|robots\.txt|captcha|forbidden|rate.?limit|blocked",
    re.IGNORECASE,
)


def verdict(status: str | None, new: int, error: str | None) -> tuple[str, str]:
    """(what happened in words, tone ``ok``/``warn``/``bad``) for a source's run."""
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
        return f"{what}: {new} new, some pages failed", "warn"
    if blocked:
        return "BLOCKED: we could not look", "bad"
    return "FAILED: we could not look", "bad"

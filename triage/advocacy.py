"""Advocates: who loved us this week, and the three things a responder does about it.

"If they have a good experience, you're lucky if they tell one person": the ones who did
are worth a thank-you, a review elsewhere and a referral invitation.

**What counts as happy.** A review of the own brand rated 4 or 5, or an unrated mention
whose sentiment is at least :data:`MIN_SENTIMENT` (0.6). Measured on the VADER tweets set
in ``shared/data/sentiment``: of the texts scored 0.6 or more, 81% are clearly positive to
the human raters (mean rating of +1 or more on -4..+4), against 72% at 0.4 and 78% at 0.5,
while 0.6 still finds two thirds of them; in the demo it keeps the enthusiastic posts
("fantastic", "delighted") and leaves the lukewarm ones ("Coffee is good. Delivery is
slow.", 0.32) out. A mention that needs attention is never an advocate: it is in the queue.

**Order.** Known customers first (a confirmed link before a suggested one), those who came
back happier after a resolved case first among them, then the most valuable customer, then
reach, then the newest.

**Actions.** Thank, ask for a review elsewhere, invite to the referral programme: a
template from ``default_templates/advocacy`` (or ``advocacy/`` in the team's templates
folder) filled with the first name, what they loved and the responder's name, copied by the
responder and recorded on the customer's timeline (``customer_event``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from storage.advocates import happy_mentions, record_customer_event
from storage.types import utcnow
from triage.templates import Template, first_name, parse_template, render

MIN_SENTIMENT = 0.6
MIN_RATING = 4.0
DEFAULT_DIR = Path(__file__).parent / "default_templates" / "advocacy"

#: timeline kind -> (button label, template key)
ACTIONS: dict[str, tuple[str, str]] = {
    "thanked": ("Thank", "thank"),
    "review_requested": ("Ask for a review elsewhere", "ask-review"),
    "referral_invited": ("Invite to referral", "invite-referral"),
}

#: how an aspect reads in "I'm so glad you loved ..."
LOVED = {
    "delivery": "the delivery",
    "product quality": "the product",
    "customer service": "how our team looked after you",
    "staff": "our team",
    "price": "the value",
    "billing": "how simple paying was",
    "app/website": "the website",
}


@dataclass(frozen=True)
class AdvocacyPolicy:
    """The thresholds of a happy mention."""

    min_sentiment: float = MIN_SENTIMENT
    min_rating: float = MIN_RATING


def advocates(
    engine: Engine,
    *,
    days: int = 7,
    now: datetime | None = None,
    until: datetime | None = None,
    policy: AdvocacyPolicy | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The happy mentions of the last ``days`` days (or up to ``until``), ranked."""
    policy = policy or AdvocacyPolicy()
    end = until or (now or utcnow())
    rows = happy_mentions(
        engine,
        since=end - timedelta(days=days),
        until=until,
        min_sentiment=policy.min_sentiment,
        min_rating=policy.min_rating,
        limit=limit,
    )
    return rank(rows)


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Known customers first, those who came back happier first among them (see the module)."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        known = {"confirmed": 0, "suggested": 1}.get(row.get("link_status") or "", 2)
        published = row.get("published_at")
        return (
            known,
            row.get("came_back") is None,
            -(row.get("lifetime_value") or 0.0),
            -(row.get("reach") or 0),
            -(published.timestamp() if published else 0.0),
        )

    return sorted(rows, key=key)


def loved(aspects: list[str] | tuple[str, ...] | None) -> str:
    """What they loved, as words: ``the delivery and our team``."""
    parts = [LOVED.get(a, a) for a in (aspects or []) if a]
    parts = list(dict.fromkeys(parts))
    if not parts:
        return "your experience with us"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def load_templates(directory: Path | None = None) -> dict[str, Template]:
    """The advocacy templates by key: the team's ``advocacy/`` folder over the defaults."""
    found = {f.stem: f for f in sorted(DEFAULT_DIR.glob("*.txt"))}
    team = directory / "advocacy" if directory is not None else None
    if team is not None and team.is_dir():
        found.update({f.stem: f for f in sorted(team.glob("*.txt"))})
    return {
        key: parse_template(key, path.read_text(encoding="utf-8")) for key, path in found.items()
    }


def reply(template: Template, row: Mapping[str, Any], *, brand: str, responder: str | None) -> str:
    """The template filled in for one advocate (the customer's name before the author's)."""
    name = row.get("customer_name") or row.get("author")
    return render(
        template,
        {
            "first_name": first_name(name),
            "author": row.get("author"),
            "brand": brand,
            "loved": loved(row.get("aspects")),
            "responder": responder,
        },
    )


def record(
    engine: Engine,
    row: Mapping[str, Any],
    *,
    kind: str,
    actor: str,
    message: str,
) -> int:
    """Record on the customer's timeline that ``actor`` did ``kind`` for this mention."""
    if kind not in ACTIONS:
        raise ValueError(f"unknown advocacy action {kind!r}")
    return record_customer_event(
        engine,
        kind=kind,
        actor=actor,
        customer_id=row.get("customer_id"),
        mention_id=row.get("id"),
        message=message,
        data={"source": row.get("source"), "template": ACTIONS[kind][1]},
    )

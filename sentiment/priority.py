"""Priority of a case in the triage queue: what hurts most first.

One formula, in 0..1::

    severity = max(negativity, complaint_score, rating_badness)
    priority = 0.55·severity + 0.15·reach + 0.15·value + 0.15·age

* negativity = max(0, -sentiment); rating_badness = (5 - rating) / 4 for rated mentions;
* reach = log10(1 + reach) / 6, capped at 1 (a million followers or upvotes is the top);
* value = the linked customer's value in 0..1 (0 when unknown);
* age = hours since published / 72, capped at 1: an unanswered complaint grows more urgent.
"""

import math
from datetime import UTC, datetime


def priority(
    *,
    sentiment: float,
    complaint_score: float = 0.0,
    rating: float | None = None,
    reach: int | None = None,
    customer_value: float = 0.0,
    published_at: datetime | None = None,
    now: datetime | None = None,
) -> float:
    """The priority of a mention, 0..1 (see the module docstring for the formula)."""
    negativity = max(0.0, -sentiment)
    rating_badness = (5.0 - rating) / 4.0 if rating is not None else 0.0
    severity = max(negativity, complaint_score, rating_badness)
    reach_part = min(1.0, math.log10(1 + max(0, reach or 0)) / 6.0)
    value_part = min(1.0, max(0.0, customer_value))
    age_part = 0.0
    if published_at is not None:
        now = now or datetime.now(UTC)
        age_hours = max(0.0, (now - published_at).total_seconds() / 3600.0)
        age_part = min(1.0, age_hours / 72.0)
    score = 0.55 * severity + 0.15 * reach_part + 0.15 * value_part + 0.15 * age_part
    return round(max(0.0, min(1.0, score)), 4)

"""The priority formula orders the queue by what hurts most."""

from datetime import UTC, datetime, timedelta

from sentiment import priority

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def p(**kwargs: object) -> float:
    base: dict[str, object] = {
        "sentiment": -0.5,
        "published_at": NOW - timedelta(hours=1),
        "now": NOW,
    }
    return priority(**{**base, **kwargs})  # type: ignore[arg-type]


def test_ordering() -> None:
    assert p(sentiment=-0.9) > p(sentiment=-0.3)
    assert p(complaint_score=0.9, sentiment=0.0) > p(sentiment=0.0)
    assert p(rating=1) > p(rating=3)
    assert p(reach=100_000) > p(reach=10) > p(reach=None) - 1e-9
    assert p(customer_value=1.0) > p(customer_value=0.0)
    assert p(published_at=NOW - timedelta(days=2)) > p()
    assert (
        0.0
        <= p(sentiment=1.0, reach=0)
        <= p(
            sentiment=-1,
            rating=1,
            reach=10**9,
            customer_value=1,
            published_at=NOW - timedelta(days=30),
        )
        <= 1.0
    )

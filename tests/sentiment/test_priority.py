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


def test_a_valued_customers_complaint_goes_first() -> None:
    complaint = {"sentiment": -0.4, "complaint_score": 0.9}
    assert p(**complaint, customer_value=1.0) > p(**complaint, customer_value=0.0)
    # a complaint without negative words outranks mild negativity
    assert p(sentiment=-0.1, complaint_score=0.95) > p(sentiment=-0.3, complaint_score=0.1)
    # a 1-star review outranks a 3-star one with the same words
    assert p(sentiment=-0.2, rating=1) > p(sentiment=-0.2, rating=3)


def test_reach_and_age_break_ties_but_do_not_swamp_severity() -> None:
    loud_mild = p(sentiment=-0.1, reach=1_000_000, published_at=NOW - timedelta(days=5))
    quiet_furious = p(sentiment=-1.0, complaint_score=1.0, rating=1, reach=10)
    assert quiet_furious > loud_mild
    assert p(reach=1_000) > p(reach=100) and p(published_at=NOW - timedelta(hours=30)) > p()
    # age stops growing after three days
    assert p(published_at=NOW - timedelta(days=4)) == p(published_at=NOW - timedelta(days=40))
